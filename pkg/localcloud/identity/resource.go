package identity

import "time"

// AllowsService evaluates a resource-based policy (a Lambda function's,
// as AddPermission writes it) for a service principal: whether principal
// ("apigateway.amazonaws.com") may do action on resource, given the
// request's condition keys (aws:SourceArn, aws:SourceAccount). An explicit
// Deny wins, else an Allow naming the principal is needed, with the same
// matching of actions, resources and conditions as a role's policies.
func AllowsService(document, principal, action, resource string, keys map[string][]string) (bool, error) {
	pol, err := compile("resource-based policy", document)
	if err != nil {
		return false, err
	}
	ctx := &evalContext{caller: keys, now: time.Now}
	allowed := false
	for i := range pol.stmts {
		st := &pol.stmts[i]
		if st.principalMatches(principal) == st.notPrinc || !st.applies(action, resource, pol.variables, ctx) {
			continue
		}
		if st.deny {
			return false, nil
		}
		allowed = true
	}
	return allowed, nil
}
