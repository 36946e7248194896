package diagram

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stepforge/stepforge/pkg/asl"
)

// Longest texts, in characters, before they are cut short with "…".
const (
	edgeTextMax = 60 // a choice condition or the errors of a Catch
	lineMax     = 48 // a second line of a node
	causeMax    = 40 // a Fail's Cause, left out when longer
)

// sanitize maps a state name to the characters a Mermaid id may hold.
func sanitize(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// keywords are the words Mermaid's lexer takes wherever a token starts, so
// an id beginning with one of them would not parse as an id.
var keywords = []string{
	"style", "default", "linkStyle", "interpolate", "classDef", "class", "click", "call",
	"href", "graph", "flowchart", "subgraph",
	"_self", "_blank", "_parent", "_top",
}

// unique returns an id for base no other node or subgraph has: base made
// safe from Mermaid's keywords, then numbered if it is taken.
func (d *drawing) unique(base string) string {
	if unsafe(base) {
		base = "s_" + base
	}
	id := base
	for n := 2; d.used[id]; n++ {
		id = fmt.Sprintf("%s_%d", base, n)
	}
	d.used[id] = true
	return id
}

func unsafe(id string) bool {
	if id == "" || id == "end" || id[0] >= '0' && id[0] <= '9' {
		return true
	}
	for _, k := range keywords {
		if strings.HasPrefix(id, k) {
			return true
		}
	}
	return false
}

// label returns the non-empty lines as one quoted Mermaid label, a line
// break between them.
func label(lines ...string) string {
	escaped := make([]string, 0, len(lines))
	for _, l := range lines {
		if l != "" {
			escaped = append(escaped, escape(l))
		}
	}
	return `"` + strings.Join(escaped, "<br/>") + `"`
}

// escaper writes characters Mermaid or HTML would read as syntax as
// Mermaid entity codes. Some sequences are broken up: the lexer takes
// "direction LR" anywhere on a line, even inside quotes; "$$" opens KaTeX
// math (and starts every context object path); "%%" opens a directive.
var escaper = strings.NewReplacer(
	"#", "#35;",
	`"`, "#quot;",
	"<", "#lt;",
	">", "#gt;",
	"&", "#amp;",
	"|", "#124;",
	"`", "#96;",
	"direction", "#100;irection",
	"$$", "$#36;",
	"%%", "%#37;",
	"\r\n", " ", "\n", " ", "\r", " ", "\t", " ",
)

func escape(s string) string { return escaper.Replace(s) }

// abbreviate cuts s to at most max characters, ending it with "…" when cut.
func abbreviate(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}

// expression returns a JSONata "{% ... %}" expression without its
// delimiters and on one line; other strings are returned as they are.
func expression(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{%") || !strings.HasSuffix(t, "%}") || len(t) < 4 {
		return s
	}
	return strings.Join(strings.Fields(t[2:len(t)-2]), " ")
}

// services are the display names of the services a Task integrates with.
var services = map[string]string{
	"apigateway": "API Gateway", "athena": "Athena", "batch": "Batch", "bedrock": "Bedrock",
	"codebuild": "CodeBuild", "dynamodb": "DynamoDB", "ecs": "ECS", "eks": "EKS",
	"events": "EventBridge", "glue": "Glue", "http": "HTTP", "lambda": "Lambda",
	"s3": "S3", "sagemaker": "SageMaker", "sns": "SNS", "sqs": "SQS", "states": "Step Functions",
}

func serviceName(s string) string {
	if name, ok := services[s]; ok {
		return name
	}
	return s
}

// integration names what a Task's Resource calls, such as "Lambda invoke"
// or "SNS publish", never showing an ARN.
func integration(resource string) string {
	if name, ok := strings.CutPrefix(resource, "${"); ok && strings.HasSuffix(name, "}") {
		return strings.TrimSuffix(name, "}")
	}
	parts := strings.SplitN(resource, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return abbreviate(resource, lineMax)
	}
	service, res := parts[2], parts[5]
	switch {
	case service == "states" && parts[3] == "" && parts[4] == "":
		return optimised(res)
	case service == "states" && strings.HasPrefix(res, "activity:"):
		return "activity " + strings.TrimPrefix(res, "activity:")
	case service == "lambda" && strings.HasPrefix(res, "function:"):
		name, _, _ := strings.Cut(strings.TrimPrefix(res, "function:"), ":")
		return "Lambda " + name
	}
	return serviceName(service)
}

// optimised names a service integration from the part of its ARN after
// "arn:aws:states:::", e.g. "lambda:invoke" or "states:startExecution.sync:2".
func optimised(res string) string {
	res, sdk := strings.CutPrefix(res, "aws-sdk:")
	service, action, _ := strings.Cut(res, ":")
	action, pattern, _ := strings.Cut(action, ".")
	name := serviceName(service) + " " + action
	if service == "states" && action != "" {
		name = strings.ToUpper(action[:1]) + action[1:]
	}
	if sdk {
		name += " (SDK)"
	}
	switch {
	case strings.HasPrefix(pattern, "sync"):
		name += " (sync)"
	case pattern == "waitForTaskToken":
		name += " (callback)"
	}
	return name
}

// errorNames lists the errors of a Retry or Catch, States.ALL as "any error"
// and the Lambda service's transient errors, when all are there, as one.
func errorNames(names []string) string {
	transient := asl.LambdaTransientErrors()
	allTransient := true
	for _, t := range transient {
		allTransient = allTransient && slices.Contains(names, t)
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		switch {
		case n == asl.ErrorAll:
			out = append(out, "any error")
		case allTransient && slices.Contains(transient, n):
			if !slices.Contains(out, "Lambda transient") {
				out = append(out, "Lambda transient")
			}
		default:
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// retries returns a node line per retrier: its errors and attempts.
func retries(rs []asl.Retrier) []string {
	lines := make([]string, 0, len(rs))
	for _, r := range rs {
		attempts := 3 // the AWS default
		if r.MaxAttempts != nil {
			attempts = *r.MaxAttempts
		}
		names := abbreviate(errorNames(r.ErrorEquals), lineMax-12)
		if attempts == 0 {
			lines = append(lines, "no retry: "+names)
			continue
		}
		lines = append(lines, fmt.Sprintf("retry: %s ×%d", names, attempts))
	}
	return lines
}

// waitText says how long a Wait waits: "wait 10s", "wait $.delay seconds",
// "wait until $.when".
func waitText(w *asl.Wait) string {
	var s string
	switch {
	case w.Seconds != nil:
		s = "wait " + duration(*w.Seconds)
	case w.SecondsPath != "":
		s = "wait " + string(w.SecondsPath) + " seconds"
	case w.SecondsExpr != "":
		s = "wait " + expression(w.SecondsExpr) + " seconds"
	case w.TimestampPath != "":
		s = "wait until " + string(w.TimestampPath)
	case w.Timestamp != "":
		s = "wait until " + expression(w.Timestamp)
	default:
		s = "wait"
	}
	return abbreviate(s, lineMax)
}

func duration(seconds int) string {
	switch {
	case seconds >= 3600 && seconds%3600 == 0:
		return fmt.Sprintf("%dh", seconds/3600)
	case seconds >= 60 && seconds%60 == 0:
		return fmt.Sprintf("%dm", seconds/60)
	}
	return fmt.Sprintf("%ds", seconds)
}

// failLines are a Fail node's lines: its name, its error unless that is the
// name again, and its cause when short.
func failLines(f *asl.Fail) []string {
	lines := []string{f.Name}
	if e := either(expression(f.Error), string(f.ErrorPath)); e != "" && e != f.Name {
		lines = append(lines, abbreviate(e, lineMax))
	}
	if c := either(expression(f.Cause), string(f.CausePath)); c != "" && len([]rune(c)) <= causeMax {
		lines = append(lines, c)
	}
	return lines
}

// either returns the first of a and b that is not empty.
func either(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// mapLines say what a Map iterates over and how many items run at once.
func mapLines(m *asl.Map) []string {
	kind := "map"
	if m.ItemProcessor != nil && m.ItemProcessor.ProcessorConfig.Mode == asl.Distributed {
		kind = "distributed map"
	}
	over := "$"
	switch {
	case m.ItemReader != nil:
		over = integration(m.ItemReader.Resource)
	case m.ItemsPath != "":
		over = string(m.ItemsPath)
	case m.Items != nil:
		over = "items"
		if expr, ok := m.Items.(string); ok {
			over = expression(expr)
		}
	}
	lines := []string{abbreviate(kind+" over "+over, lineMax)}
	if m.MaxConcurrency != nil && *m.MaxConcurrency > 0 {
		lines = append(lines, fmt.Sprintf("at most %d at once", *m.MaxConcurrency))
	}
	return lines
}
