package cfncheck

import "fmt"

// Counts summarises a template for review: how many resources it declares and how many
// of its permission statements are left unscoped.
type Counts struct {
	// Resources is the number of entries in the Resources section.
	Resources int
	// Statements counts the statements of permission policies: role inline policies,
	// AWS::IAM::Policy, bucket, topic, queue and OpenSearch domain policies and KMS key
	// policies. Trust policies (AssumeRolePolicyDocument) say who may assume a role, not
	// what it may do, and are not counted.
	Statements int
	// WildcardResourceStatements counts those statements whose Resource is "*" or lists
	// "*", whatever their Effect and even where Check accepts it (xray, log delivery,
	// key policies), so that the number shows every unscoped grant.
	WildcardResourceStatements int
}

// Stats counts the resources and permission statements of a template. It fails only
// when the template is not a JSON object; Check reports everything else.
func Stats(template []byte) (Counts, error) {
	t, err := parse(template)
	if err != nil {
		return Counts{}, fmt.Errorf("cfncheck: %w", err)
	}
	counts := Counts{Resources: len(t.resources)}
	ignore := func(string, string, ...any) {}
	for _, st := range t.statements(ignore) {
		if st.kind == trustPolicy {
			continue
		}
		counts.Statements++
		for _, r := range stringList("", st.body["Resource"]) {
			if r.value == "*" {
				counts.WildcardResourceStatements++
				break
			}
		}
	}
	return counts, nil
}
