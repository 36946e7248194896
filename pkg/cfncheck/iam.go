package cfncheck

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// policyKind says what a policy document governs, which decides the rules it must obey.
type policyKind int

const (
	identityPolicy policyKind = iota // attached to a role: what the role may do
	trustPolicy                      // a role's AssumeRolePolicyDocument: who may become it
	resourcePolicy                   // on a bucket, topic, queue or domain: who may use it
	keyPolicy                        // on a KMS key, where Resource "*" means "this key"
)

// unscopedActions are actions AWS authorises only against Resource "*", so granting them
// on "*" is as narrow as IAM allows. Step Functions' vended log delivery needs the logs
// ones; every traced function and state machine needs the xray ones.
var unscopedActions = set(
	"xray:puttracesegments", "xray:puttelemetryrecords", "xray:getsamplingrules", "xray:getsamplingtargets",
	"logs:createlogdelivery", "logs:getlogdelivery", "logs:updatelogdelivery", "logs:deletelogdelivery",
	"logs:listlogdeliveries", "logs:putresourcepolicy", "logs:describeresourcepolicies", "logs:describeloggroups",
)

// statement is one policy statement and where it was found.
type statement struct {
	path string
	kind policyKind
	body map[string]any
}

// statements lists every statement of every policy document in the template, in path
// order, reporting documents too malformed to read.
func (t *template) statements(report func(path, format string, args ...any)) []statement {
	var out []statement
	for _, id := range sortedKeys(t.resources) {
		r, _ := t.resources[id].(map[string]any)
		props, ok := r["Properties"].(map[string]any)
		if !ok {
			continue
		}
		path := "Resources." + id + ".Properties"
		add := func(key string, kind policyKind) {
			if doc, ok := props[key]; ok {
				out = append(out, documentStatements(path+"."+key, kind, doc, report)...)
			}
		}
		switch t.types[id] {
		case "AWS::IAM::Role":
			add("AssumeRolePolicyDocument", trustPolicy)
			policies, _ := props["Policies"].([]any)
			for i, p := range policies {
				if m, ok := p.(map[string]any); ok && m["PolicyDocument"] != nil {
					out = append(out, documentStatements(index(path+".Policies", i)+".PolicyDocument", identityPolicy, m["PolicyDocument"], report)...)
				}
			}
		case "AWS::IAM::Policy":
			add("PolicyDocument", identityPolicy)
		case "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy":
			add("PolicyDocument", resourcePolicy)
		case "AWS::OpenSearchService::Domain":
			add("AccessPolicies", resourcePolicy)
		case "AWS::KMS::Key":
			add("KeyPolicy", keyPolicy)
		}
	}
	return out
}

func documentStatements(path string, kind policyKind, doc any, report func(string, string, ...any)) []statement {
	var out []statement
	for _, d := range alternatives(path, doc) {
		body := d.value
		if s, ok := body.(string); ok {
			// Some properties accept the document as a JSON string.
			if err := json.Unmarshal([]byte(s), &body); err != nil {
				report(d.path, "policy document is a string but not JSON: %v", err)
				continue
			}
		}
		m, ok := body.(map[string]any)
		if !ok {
			report(d.path, "policy document must be an object")
			continue
		}
		stPath := d.path + ".Statement"
		var entries []located
		switch sts := m["Statement"].(type) {
		case map[string]any:
			entries = []located{{stPath, sts}}
		case []any:
			for i, e := range sts {
				entries = append(entries, located{index(stPath, i), e})
			}
		default:
			report(stPath, "policy document needs a Statement object or list")
		}
		for _, e := range entries {
			for _, alt := range alternatives(e.path, e.value) {
				if body, ok := alt.value.(map[string]any); ok {
					out = append(out, statement{path: alt.path, kind: kind, body: body})
				} else {
					report(alt.path, "statement must be an object")
				}
			}
		}
	}
	return out
}

type located struct {
	path  string
	value any
}

// alternatives expands Fn::If into the values it may take, dropping AWS::NoValue, so a
// conditional document or statement is checked in every variant.
func alternatives(path string, v any) []located {
	m, ok := v.(map[string]any)
	if !ok {
		return []located{{path, v}}
	}
	if fn, arg, ok := intrinsic(m); ok {
		if fn == "Ref" && arg == "AWS::NoValue" {
			return nil
		}
		if args, ok := arg.([]any); ok && fn == "Fn::If" && len(args) == 3 {
			p := path + ".Fn::If"
			return append(alternatives(index(p, 1), args[1]), alternatives(index(p, 2), args[2])...)
		}
	}
	return []located{{path, v}}
}

func (c *checker) checkPolicies() {
	for _, st := range c.t.statements(c.report) {
		c.checkStatement(st)
	}
}

func (c *checker) checkStatement(st statement) {
	b := st.body
	switch b["Effect"] {
	case "Allow":
	case "Deny":
		return // denying broadly only ever narrows access
	default:
		c.report(st.path+".Effect", `Effect must be "Allow" or "Deny"`)
		return
	}
	for _, k := range []string{"NotAction", "NotResource", "NotPrincipal"} {
		if _, ok := b[k]; ok {
			c.report(st.path+"."+k, "%s in an Allow statement grants everything not listed; list what is allowed instead", k)
		}
	}
	actions := stringList(st.path+".Action", b["Action"])
	if !has(b, "Action") && !has(b, "NotAction") {
		c.report(st.path, "statement has no Action")
	}
	for _, a := range actions {
		if !strings.ContainsAny(a.value.(string), "*?") {
			continue
		}
		// The key policy AWS writes by default gives the account root kms:* so that IAM
		// policies, not the key policy, decide who uses the key.
		if st.kind == keyPolicy && strings.EqualFold(a.value.(string), "kms:*") && isAccountRoot(b["Principal"]) {
			continue
		}
		c.report(a.path, "wildcard action %q: list the actions the workflow needs", a.value)
	}
	c.checkStatementResources(st, actions)
	c.checkPrincipal(st)
}

func (c *checker) checkStatementResources(st statement, actions []located) {
	b := st.body
	resources := stringList(st.path+".Resource", b["Resource"])
	if st.kind == identityPolicy && !has(b, "Resource") && !has(b, "NotResource") {
		c.report(st.path, "statement has no Resource")
	}
	if st.kind == keyPolicy {
		return // in a key policy "*" is the required way to say "this key"
	}
	unscoped := len(actions) > 0
	for _, a := range actions {
		unscoped = unscoped && unscopedActions[strings.ToLower(a.value.(string))]
	}
	for _, r := range resources {
		if r.value == "*" && !unscoped {
			c.report(r.path, `Resource "*" in an Allow statement: scope it to what the actions touch (only actions AWS cannot scope, such as xray:PutTraceSegments, may use "*")`)
		}
	}
}

func (c *checker) checkPrincipal(st statement) {
	b := st.body
	p, named := b["Principal"]
	switch {
	case st.kind == identityPolicy && named:
		c.report(st.path+".Principal", "an identity policy cannot name a Principal")
	case st.kind != identityPolicy && !named && !has(b, "NotPrincipal"):
		c.report(st.path, "statement has no Principal")
	case named && isWildcardPrincipal(p) && len(asMap(b["Condition"])) == 0:
		c.report(st.path+".Principal", `Principal "*" without a Condition grants access to anyone`)
	}
}

// stringList returns the literal strings of a string-or-list value with their paths;
// computed entries are skipped since their value is unknown until deploy.
func stringList(path string, v any) []located {
	switch v := v.(type) {
	case string:
		return []located{{path, v}}
	case []any:
		var out []located
		for i, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, located{index(path, i), s})
			}
		}
		return out
	}
	return nil
}

func isWildcardPrincipal(p any) bool {
	if p == "*" {
		return true
	}
	for _, v := range asMap(p) {
		for _, s := range stringList("", v) {
			if s.value == "*" {
				return true
			}
		}
	}
	return false
}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// isAccountRoot reports whether a principal is only this or another account as a whole
// (arn:...:iam::<account>:root, a bare account id, or Ref AWS::AccountId).
func isAccountRoot(p any) bool {
	aws, ok := asMap(p)["AWS"]
	if !ok || len(asMap(p)) != 1 {
		return false
	}
	values, isList := aws.([]any)
	if !isList {
		values = []any{aws}
	}
	for _, v := range values {
		s := render(v)
		if !strings.HasSuffix(s, ":root") && !accountID.MatchString(s) && s != "${AWS::AccountId}" {
			return false
		}
	}
	return len(values) > 0
}

// render approximates the string a value will become, with Refs as ${Name}, so that the
// shape of an ARN built with Fn::Sub or Fn::Join can be recognised.
func render(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		fn, arg, ok := intrinsic(v)
		if !ok {
			return "?"
		}
		switch fn {
		case "Ref":
			return fmt.Sprintf("${%v}", arg)
		case "Fn::Sub":
			if a, ok := arg.([]any); ok && len(a) > 0 {
				return render(a[0])
			}
			return render(arg)
		case "Fn::Join":
			a, ok := arg.([]any)
			if !ok || len(a) != 2 {
				return "?"
			}
			parts, _ := a[1].([]any)
			out := make([]string, len(parts))
			for i, part := range parts {
				out[i] = render(part)
			}
			sep, _ := a[0].(string)
			return strings.Join(out, sep)
		}
	}
	return "?"
}

// has reports whether key is present, even with a null value (reported elsewhere).
func has(m map[string]any, key string) bool {
	_, ok := m[key]
	return ok
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
