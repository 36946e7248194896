package machines

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Diagnostic is one problem ValidateStateMachineDefinition reports: a code
// from AWS's list (SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET,
// ...), a message and where in the definition, e.g. "/States/Hello/Next".
type Diagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Location string `json:"location,omitempty"`
}

// Validation is ValidateStateMachineDefinition's result.
type Validation struct {
	Result      string       `json:"result"`
	Diagnostics []Diagnostic `json:"diagnostics"`
	Truncated   bool         `json:"truncated"`
}

// Validate checks a definition as CreateStateMachine would, reporting
// every problem instead of refusing: result OK or FAIL, at most
// maxResults (1-100, 0 meaning 100) diagnostics. Every diagnostic the
// local cloud finds is an ERROR, so severity (ERROR or WARNING, the
// lowest reported) does not change the answer.
func (s *Service) Validate(_ context.Context, definition, typ, severity string, maxResults int) (Validation, error) {
	if err := required("definition", definition); err != nil {
		return Validation{}, err
	}
	if typ != "" && typ != Standard && typ != Express {
		return Validation{}, enumError("type", typ, Standard, Express)
	}
	if severity != "" && severity != "ERROR" && severity != "WARNING" {
		return Validation{}, enumError("severity", severity, "ERROR", "WARNING")
	}
	if maxResults < 0 || maxResults > 100 {
		return Validation{}, validation(fmt.Sprintf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 100", maxResults))
	}
	if maxResults == 0 {
		maxResults = 100
	}
	out := Validation{Result: "OK", Diagnostics: diagnose(definition, typ)}
	if len(out.Diagnostics) > 0 {
		out.Result = "FAIL"
	}
	if len(out.Diagnostics) > maxResults {
		out.Diagnostics, out.Truncated = out.Diagnostics[:maxResults], true
	}
	return out, nil
}

// checkDefinition refuses a definition with problems as AWS does:
// InvalidDefinition "Invalid State Machine Definition: 'CODE: message at
// /location, ...'".
func checkDefinition(definition, typ string) error {
	ds := diagnose(definition, typ)
	if len(ds) == 0 {
		return nil
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Code + ": " + d.Message
		if d.Location != "" {
			parts[i] += " at " + d.Location
		}
	}
	return &localcloud.Error{Code: "InvalidDefinition", Message: "Invalid State Machine Definition: '" + strings.Join(parts, ", ") + "'"}
}

// diagnose lists a definition's problems: JSON syntax, the shape pkg/asl
// parses, the rules asl.Validate checks, a Task Resource that is not an
// ARN (a DefinitionSubstitutions placeholder nobody substituted), and in
// an EXPRESS machine the integration patterns and activities only
// STANDARD machines run.
func diagnose(definition, typ string) []Diagnostic {
	if strings.TrimSpace(definition) == "" {
		return []Diagnostic{{Severity: "ERROR", Code: "MISSING_DESCRIPTION", Message: "The state machine definition is empty"}}
	}
	dec := json.NewDecoder(strings.NewReader(definition))
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return []Diagnostic{{Severity: "ERROR", Code: "INVALID_JSON_DESCRIPTION", Message: err.Error()}}
	}
	if _, err := dec.Token(); err == nil {
		return []Diagnostic{{Severity: "ERROR", Code: "INVALID_JSON_DESCRIPTION", Message: "Unexpected content after the end of the JSON document"}}
	}
	if _, ok := doc.(map[string]any); !ok {
		return []Diagnostic{{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: "The state machine definition must be a JSON object", Location: "/"}}
	}
	m, err := asl.Parse([]byte(definition))
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "asl: parse state machine: ")
		return []Diagnostic{{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: msg, Location: "/"}}
	}
	names := map[string]bool{}
	m.Walk(func(_, name string, _ asl.State) { names[name] = true })
	var out []Diagnostic
	if err := m.Validate(); err != nil {
		verr, ok := err.(*asl.ValidationError)
		if !ok {
			return []Diagnostic{{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: err.Error(), Location: "/"}}
		}
		for _, p := range verr.Problems {
			out = append(out, reword(Diagnostic{Severity: "ERROR", Code: code(p), Message: p.Message, Location: location(p.Path, names)}))
		}
	}
	m.Walk(func(path, _ string, s asl.State) {
		if t, ok := s.(*asl.Task); ok && t.Resource != "" && !strings.HasPrefix(t.Resource, "arn:") {
			out = append(out, Diagnostic{Severity: "ERROR", Code: "INVALID_RESOURCE",
				Message:  fmt.Sprintf("Value is not a valid resource ARN: %q (is a DefinitionSubstitutions placeholder left unsubstituted?)", t.Resource),
				Location: location(path+".Resource", names)})
		}
		if t, ok := s.(*asl.Task); ok && typ == Express {
			if msg := expressRefuses(t.Resource); msg != "" {
				out = append(out, Diagnostic{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: msg,
					Location: location(path+".Resource", names)})
			}
		}
	})
	return out
}

var missingTarget = regexp.MustCompile(`^(Next|Default) "(.*)" is not a state(.*)$`)

// reword gives transition problems AWS's words and locations: "Missing
// 'Next' target: X" at /States/A/Next, "State \"B\" is not reachable." at
// /States/B.
func reword(d Diagnostic) Diagnostic {
	if m := missingTarget.FindStringSubmatch(d.Message); m != nil {
		d.Location += "/" + m[1]
		d.Message = "Missing '" + m[1] + "' target: " + m[2] + m[3]
	}
	if strings.HasPrefix(d.Message, "state is unreachable from StartAt") {
		name := d.Location[strings.LastIndex(d.Location, "/States/")+len("/States/"):]
		d.Message = fmt.Sprintf("State %q is not reachable.", name)
	}
	return d
}

// expressRefuses says why an EXPRESS state machine cannot run a Task
// with this resource, or "": Express workflows run neither the .sync nor
// the .waitForTaskToken integration patterns, nor activities.
// https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html
func expressRefuses(resource string) string {
	switch {
	case strings.HasPrefix(resource, "arn:aws:states:::") && (strings.HasSuffix(resource, ".sync") || strings.Contains(resource, ".sync:")):
		return "Express state machine does not support '.sync' service integration"
	case strings.HasPrefix(resource, "arn:aws:states:::") && strings.HasSuffix(resource, ".waitForTaskToken"):
		return "Express state machine does not support '.waitForTaskToken' service integration"
	case strings.HasPrefix(resource, "arn:aws:states:") && strings.Contains(resource, ":activity:"):
		return "Express state machine does not support Activity ARN"
	}
	return ""
}

// code gives a problem pkg/asl reports the diagnostic code AWS gives that
// kind of problem.
func code(p asl.Problem) string {
	msg := p.Message
	switch {
	case strings.Contains(msg, "is already used at"):
		return "DUPLICATE_STATE_NAME"
	case strings.Contains(msg, "state has no name"), strings.HasPrefix(msg, "state name is"):
		return "INVALID_STATE_NAME"
	case strings.Contains(msg, "ends the execution"):
		return "MISSING_END_STATE"
	case strings.Contains(msg, "is not a state"), strings.Contains(msg, "unreachable from StartAt"):
		return "MISSING_TRANSITION_TARGET"
	case strings.Contains(msg, "needs a Resource"), strings.Contains(msg, "is neither an ARN nor"):
		return "INVALID_RESOURCE"
	}
	return "SCHEMA_VALIDATION_FAILED"
}

// location turns a pkg/asl path ("States.Publish.Branches[1].States.Devto.Next")
// into AWS's ("/States/Publish/Branches[1]/States/Devto/Next"); names are the
// definition's state names, which may hold dots of their own.
func location(path string, names map[string]bool) string {
	if path == "" {
		return "/"
	}
	var b bytes.Buffer
	rest := path
	for rest != "" {
		seg := rest
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			seg = rest[:i]
		}
		rest = strings.TrimPrefix(rest[len(seg):], ".")
		b.WriteString("/" + seg)
		if seg == "States" && rest != "" {
			// The state name: the longest declared name that ends at a dot
			// or at the end of the path.
			name := ""
			for n := range names {
				if len(n) > len(name) && strings.HasPrefix(rest, n) && (len(rest) == len(n) || rest[len(n)] == '.') {
					name = n
				}
			}
			if name == "" {
				name, _, _ = strings.Cut(rest, ".")
			}
			b.WriteString("/" + name)
			rest = strings.TrimPrefix(rest[len(name):], ".")
		}
	}
	return b.String()
}
