package localcloud

import "context"

// STS answers GetCallerIdentity for the local cloud's account: a role
// session the local cloud issued (a function's, a state machine's) is
// that assumed role, as Sessions tells; every other credential is the
// account's root.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
type STS struct {
	// Sessions, when set, names the caller of an issued access key.
	Sessions func(ctx context.Context, accessKeyID string) (arn, userID string, ok bool)
}

// Name is STS's signing name.
func (STS) Name() string { return "sts" }

// Protocol is STS's query protocol.
func (STS) Protocol() Protocol {
	return Query("https://sts.amazonaws.com/doc/2011-06-15/", "2011-06-15")
}

// Authorization leaves STS unchecked: GetCallerIdentity needs no
// permission, as in AWS.
func (STS) Authorization(string, *Request) (string, []string) { return "", nil }

// CallerIdentity is GetCallerIdentity's result.
type CallerIdentity struct {
	Arn     string
	UserID  string `xml:"UserId"`
	Account string
}

// Call runs an STS operation.
func (s STS) Call(ctx context.Context, op string, in *Request) (any, error) {
	switch op {
	case "GetCallerIdentity":
		if s.Sessions != nil {
			if arn, id, ok := s.Sessions(ctx, CallerAccessKey(ctx)); ok {
				return CallerIdentity{Arn: arn, UserID: id, Account: Account}, nil
			}
		}
		return CallerIdentity{Arn: "arn:aws:iam::" + Account + ":root", UserID: Account, Account: Account}, nil
	}
	return nil, ErrUnknownOperation
}
