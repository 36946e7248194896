package functions

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Statement is one statement of a function's resource-based policy, in
// the order and shape Lambda writes it.
type Statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal json.RawMessage              `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Policy is a function's resource-based policy document.
type Policy struct {
	Version   string      `json:"Version"`
	ID        string      `json:"Id"`
	Statement []Statement `json:"Statement"`
}

// AddPermissionInput is AddPermission's request.
type AddPermissionInput struct {
	FunctionName          string `json:"-"`
	Qualifier             string `json:"-"`
	StatementID           string `json:"StatementId"`
	Action                string `json:"Action"`
	Principal             string `json:"Principal"`
	SourceArn             string `json:"SourceArn,omitempty"`
	SourceAccount         string `json:"SourceAccount,omitempty"`
	EventSourceToken      string `json:"EventSourceToken,omitempty"`
	RevisionID            string `json:"RevisionId,omitempty"`
	PrincipalOrgID        string `json:"PrincipalOrgID,omitempty"`
	FunctionURLAuthType   string `json:"FunctionUrlAuthType,omitempty"`
	InvokedViaFunctionURL bool   `json:"InvokedViaFunctionUrl,omitempty"`
}

var accountID = regexp.MustCompile(`^\d{12}$`)

// principal is the Principal element Lambda writes for an AddPermission
// principal: "*", an account (as its root ARN), an IAM ARN, or a service.
func principal(p string) (json.RawMessage, error) {
	var v any
	switch {
	case p == "*":
		v = "*"
	case accountID.MatchString(p):
		v = map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}
	case strings.HasPrefix(p, "arn:aws:iam::") || strings.HasPrefix(p, "arn:aws:sts::"):
		v = map[string]string{"AWS": p}
	case strings.Contains(p, ".") && !strings.HasPrefix(p, "arn:"):
		v = map[string]string{"Service": p}
	default:
		return nil, invalidParameter("The provided principal was invalid. Please check the principal and try again.")
	}
	b, _ := json.Marshal(v)
	return b, nil
}

// AddPermission adds a statement to a function's resource-based policy
// and returns the statement as JSON.
func (s *Service) AddPermission(_ context.Context, in *AddPermissionInput) (string, error) {
	var v validation
	v.length(in.StatementID, "statementId", 1, 100)
	v.pattern(in.StatementID, "statementId", patStatementID)
	v.pattern(in.Action, "action", patAction)
	v.pattern(in.Principal, "principal", patPrincipal)
	if in.SourceArn != "" {
		v.pattern(in.SourceArn, "sourceArn", patSourceArn)
	}
	if in.SourceAccount != "" {
		v.pattern(in.SourceAccount, "sourceAccount", patSourceAccount)
	}
	if in.EventSourceToken != "" {
		v.length(in.EventSourceToken, "eventSourceToken", 0, 256)
		v.pattern(in.EventSourceToken, "eventSourceToken", patEventToken)
	}
	if in.PrincipalOrgID != "" {
		v.length(in.PrincipalOrgID, "principalOrgID", 12, 34)
		v.pattern(in.PrincipalOrgID, "principalOrgID", patPrincipalOrgID)
	}
	if in.FunctionURLAuthType != "" {
		v.enum(in.FunctionURLAuthType, "functionUrlAuthType", "NONE", "AWS_IAM")
	}
	if err := v.err(); err != nil {
		return "", err
	}
	name, q, err := s.resolve(in.FunctionName, patNamespacedName, 256)
	if err != nil {
		return "", err
	}
	if q, err = qualify(q, in.Qualifier); err != nil {
		return "", err
	}
	if q == latest {
		return "", invalidParameter("We currently do not support adding policies for $LATEST.")
	}
	if q != "" {
		return "", s.notFoundErr(name, q)
	}
	p, err := principal(in.Principal)
	if err != nil {
		return "", err
	}
	st := Statement{Sid: in.StatementID, Effect: "Allow", Principal: p, Action: in.Action, Resource: s.functionArn(name)}
	cond := func(op, key, value string) {
		if st.Condition == nil {
			st.Condition = map[string]map[string]string{}
		}
		if st.Condition[op] == nil {
			st.Condition[op] = map[string]string{}
		}
		st.Condition[op][key] = value
	}
	if in.SourceAccount != "" {
		cond("StringEquals", "AWS:SourceAccount", in.SourceAccount)
	}
	if in.EventSourceToken != "" {
		cond("StringEquals", "lambda:EventSourceToken", in.EventSourceToken)
	}
	if in.PrincipalOrgID != "" {
		cond("StringEquals", "aws:PrincipalOrgID", in.PrincipalOrgID)
	}
	if in.FunctionURLAuthType != "" {
		cond("StringEquals", "lambda:FunctionUrlAuthType", in.FunctionURLAuthType)
	}
	if in.InvokedViaFunctionURL {
		cond("Bool", "lambda:InvokedViaFunctionUrl", "true")
	}
	if in.SourceArn != "" {
		cond("ArnLike", "AWS:SourceArn", in.SourceArn)
	}
	_, err = s.change(name, in.RevisionID, touchRevision, func(_ *localcloud.Tx, rec *record) error {
		for _, old := range rec.Policy {
			if old.Sid == st.Sid {
				return conflict("The statement id (" + st.Sid + ") provided already exists. Please specify a new statement id, or remove the existing statement.")
			}
		}
		rec.Policy = append(rec.Policy, st)
		if b, _ := json.Marshal(policyOf(rec.Policy)); len(b) > 20480 {
			return &localcloud.Error{Code: "PolicyLengthExceededException", Message: "The final policy size (" + itoa(len(b)) + ") is bigger than the limit (20480)."}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(st)
	return string(b), nil
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func policyOf(sts []Statement) Policy {
	return Policy{Version: "2012-10-17", ID: "default", Statement: sts}
}

// GetPolicy returns a function's resource-based policy as a JSON document
// and the function's RevisionId.
func (s *Service) GetPolicy(_ context.Context, function, qualifier string) (policy, revision string, err error) {
	rec, err := s.get(function, qualifier)
	if err != nil {
		return "", "", err
	}
	if qualifier != "" || len(rec.Policy) == 0 {
		return "", "", notFound("The resource you requested does not exist.")
	}
	b, _ := json.Marshal(policyOf(rec.Policy))
	return string(b), rec.Config.RevisionID, nil
}

// RemovePermission removes a statement from a function's policy.
func (s *Service) RemovePermission(_ context.Context, function, statementID, qualifier, revision string) error {
	var v validation
	v.length(statementID, "statementId", 1, 100)
	v.pattern(statementID, "statementId", patNamespacedSid)
	if err := v.err(); err != nil {
		return err
	}
	name, q, err := s.resolve(function, patNamespacedName, 256)
	if err != nil {
		return err
	}
	if q, err = qualify(q, qualifier); err != nil {
		return err
	}
	if q != "" && q != latest {
		return s.notFoundErr(name, q)
	}
	_, err = s.change(name, revision, touchRevision, func(_ *localcloud.Tx, rec *record) error {
		i := slices.IndexFunc(rec.Policy, func(st Statement) bool { return st.Sid == statementID })
		if i < 0 || q != "" {
			return notFound("Statement " + statementID + " is not found in resource policy.")
		}
		rec.Policy = slices.Delete(rec.Policy, i, i+1)
		return nil
	})
	return err
}

func (s *Service) taggable(resource string) (string, error) {
	var v validation
	v.length(resource, "resource", 1, 256)
	if len(v) == 0 {
		v.pattern(resource, "resource", patTaggable)
	}
	if err := v.err(); err != nil {
		return "", err
	}
	if !strings.Contains(resource, ":function:") {
		return "", unsupported("tags on " + resource + ": the local cloud's Lambda has functions only")
	}
	return resource, nil
}

// TagResource adds or replaces tags on a function (by ARN).
func (s *Service) TagResource(_ context.Context, resource string, tags map[string]string) error {
	arn, err := s.taggable(resource)
	if err != nil {
		return err
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	_, err = s.change(arn, "", touchNone, func(_ *localcloud.Tx, rec *record) error {
		merged := maps(rec.Tags)
		for k, v := range tags {
			merged[k] = v
		}
		if err := checkTags(merged); err != nil {
			return err
		}
		rec.Tags = merged
		return nil
	})
	return err
}

// UntagResource removes tags from a function (by ARN).
func (s *Service) UntagResource(_ context.Context, resource string, keys []string) error {
	arn, err := s.taggable(resource)
	if err != nil {
		return err
	}
	_, err = s.change(arn, "", touchNone, func(_ *localcloud.Tx, rec *record) error {
		for _, k := range keys {
			delete(rec.Tags, k)
		}
		if len(rec.Tags) == 0 {
			rec.Tags = nil
		}
		return nil
	})
	return err
}

// ListTags returns a function's tags (by ARN).
func (s *Service) ListTags(_ context.Context, resource string) (map[string]string, error) {
	arn, err := s.taggable(resource)
	if err != nil {
		return nil, err
	}
	rec, err := s.get(arn, "")
	if err != nil {
		return nil, err
	}
	if rec.Tags == nil {
		return map[string]string{}, nil
	}
	return rec.Tags, nil
}
