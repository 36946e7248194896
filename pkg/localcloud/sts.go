package localcloud

import "context"

// STS answers GetCallerIdentity for the local cloud's account: every
// local credential is the account's root.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
type STS struct{}

// Name is STS's signing name.
func (STS) Name() string { return "sts" }

// Protocol is STS's query protocol.
func (STS) Protocol() Protocol {
	return Query("https://sts.amazonaws.com/doc/2011-06-15/", "2011-06-15")
}

// CallerIdentity is GetCallerIdentity's result.
type CallerIdentity struct {
	Arn     string
	UserID  string `xml:"UserId"`
	Account string
}

// Call runs an STS operation.
func (STS) Call(_ context.Context, op string, in *Request) (any, error) {
	switch op {
	case "GetCallerIdentity":
		return CallerIdentity{Arn: "arn:aws:iam::" + Account + ":root", UserID: Account, Account: Account}, nil
	}
	return nil, ErrUnknownOperation
}
