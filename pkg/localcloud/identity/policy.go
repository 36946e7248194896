package identity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

func malformed(msg string) error {
	return &localcloud.Error{Code: "MalformedPolicyDocument", Status: http.StatusBadRequest, Message: msg}
}

// ValidatePolicy checks a policy document as IAM does before storing it:
// JSON, a valid Version when given, a Statement of one or more statements
// each with an Effect of Allow or Deny and actions; a trust policy
// (trust) names a principal and no resources, an identity policy the
// reverse. Failures are MalformedPolicyDocument, worded as IAM words them.
func ValidatePolicy(document string, trust bool) error {
	if len(document) > 131072 {
		return validationError("Value at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to 131072")
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(document)))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil || dec.More() {
		return malformed("This policy contains invalid Json")
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return malformed("Syntax errors in policy.")
	}
	if v, ok := m["Version"]; ok {
		if s, _ := v.(string); s != "2012-10-17" && s != "2008-10-17" {
			return malformed("The policy failed legacy parsing")
		}
	}
	for k := range m {
		switch k {
		case "Version", "Id", "Statement":
		default:
			return malformed(fmt.Sprintf("Syntax errors in policy. Unknown field %s", k))
		}
	}
	var stmts []any
	switch st := m["Statement"].(type) {
	case map[string]any:
		stmts = []any{st}
	case []any:
		stmts = st
	default:
		return malformed("Syntax errors in policy.")
	}
	if len(stmts) == 0 {
		return malformed("Syntax errors in policy.")
	}
	for _, x := range stmts {
		st, ok := x.(map[string]any)
		if !ok {
			return malformed("Syntax errors in policy.")
		}
		if err := checkStatement(st, trust); err != nil {
			return err
		}
	}
	return nil
}

func checkStatement(st map[string]any, trust bool) error {
	for k := range st {
		switch k {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		default:
			return malformed(fmt.Sprintf("Syntax errors in policy. Unknown field %s", k))
		}
	}
	switch e := st["Effect"].(type) {
	case string:
		if e != "Allow" && e != "Deny" {
			return malformed("Invalid effect: " + e)
		}
	case nil:
		return malformed("Missing required field Effect")
	default:
		return malformed("Syntax errors in policy.")
	}
	_, action := st["Action"]
	_, notAction := st["NotAction"]
	if !action && !notAction {
		return malformed("Policy statement must contain actions.")
	}
	_, principal := st["Principal"]
	_, notPrincipal := st["NotPrincipal"]
	_, resource := st["Resource"]
	_, notResource := st["NotResource"]
	if trust {
		if resource {
			return malformed("Has prohibited field Resource")
		}
		if notResource {
			return malformed("Has prohibited field NotResource")
		}
		if !principal && !notPrincipal {
			return malformed("Missing required field Principal")
		}
		return nil
	}
	if principal || notPrincipal {
		return malformed("Policy document should not specify a principal.")
	}
	if !resource && !notResource {
		return malformed("Policy statement must contain resources.")
	}
	return nil
}
