package machines

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
	"github.com/stepforge/stepforge/pkg/states"
	"github.com/stepforge/stepforge/pkg/states/mock"
)

// The integrations the local cloud runs.
const (
	lambdaInvoke   = "arn:aws:states:::lambda:invoke"
	snsPublish     = "arn:aws:states:::sns:publish"
	startExecution = "arn:aws:states:::states:startExecution"
)

// execInfo is what the tasks of one execution need to know about it.
type execInfo struct {
	rec    Execution
	region string
	mock   *mock.Case
	// traced executions pass each task's trace header on; segment is the
	// execution's X-Ray segment id.
	traced        bool
	root, segment string
	mu            sync.Mutex
	taskSegments  map[string]string // "state#attempt" -> subsegment id
}

type execKey struct{}

// withExecution returns ctx carrying what rec's tasks need.
func (s *Service) withExecution(ctx context.Context, rec Execution) (context.Context, *execInfo, error) {
	info := &execInfo{rec: rec, region: arnRegion(rec.MachineARN), taskSegments: map[string]string{}}
	h := traces.ParseHeader(rec.TraceHeader)
	info.traced = rec.Tracing.Enabled || h.Sampled == "1"
	info.root, info.segment = h.Root, traces.NewSegmentID()
	if rec.TestCase != "" {
		tc, err := s.runner.testCase(machineName(rec.MachineARN), rec.TestCase)
		if err != nil {
			return ctx, info, err
		}
		info.mock = tc
	}
	return context.WithValue(ctx, execKey{}, info), info, nil
}

// taskTrace is the trace header a task passes on, "" when untraced.
func (e *execInfo) taskTrace(state string, attempt int) string {
	if e == nil || !e.traced || e.root == "" {
		return ""
	}
	id := traces.NewSegmentID()
	e.mu.Lock()
	e.taskSegments[fmt.Sprintf("%s#%d", state, attempt)] = id
	e.mu.Unlock()
	return "Root=" + e.root + ";Parent=" + id + ";Sampled=1"
}

// taskRouter runs every machine's Task states on the local services.
type taskRouter struct{ s *Service }

func (tr taskRouter) Run(ctx context.Context, t states.TaskRequest) (any, error) {
	info, _ := ctx.Value(execKey{}).(*execInfo)
	if info != nil && info.mock != nil && info.mock.Mocked(t.StateName) {
		resp, err := info.mock.Next(t.StateName)
		if err != nil {
			return nil, &states.Error{Name: "States.TaskFailed", Cause: err.Error()}
		}
		if resp.Throw != nil {
			return nil, &states.Error{Name: resp.Throw.Error, Cause: resp.Throw.Cause}
		}
		return decode(resp.Return)
	}
	base := strings.TrimSuffix(t.Resource, ".waitForTaskToken")
	switch {
	case base == lambdaInvoke || isFunctionARN(t.Resource):
		return tr.invoke(ctx, info, t)
	case base == snsPublish:
		return tr.publish(ctx, info, t)
	case base == startExecution || base == startExecution+".sync" || base == startExecution+".sync:2":
		return tr.startChild(ctx, info, t, strings.TrimPrefix(base, startExecution))
	}
	return nil, &states.Error{Name: "States.TaskFailed", Cause: "the local cloud does not run the integration " + t.Resource}
}

// invoke runs a Lambda function, through the envelope pkg/states gives
// the optimised integration (or none for a function ARN as Resource).
func (tr taskRouter) invoke(ctx context.Context, info *execInfo, t states.TaskRequest) (any, error) {
	if tr.s.lambda == nil {
		return nil, &states.Error{Name: "Lambda.ServiceException", Cause: "the local cloud has no Lambda service wired to Step Functions"}
	}
	fn := t.Resource
	if !isFunctionARN(fn) {
		p, _ := t.Parameters.(map[string]any)
		fn, _ = p["FunctionName"].(string)
		if fn == "" {
			return nil, &states.Error{Name: "States.Runtime", Cause: "The field 'FunctionName' is required for " + t.Resource}
		}
	}
	region := regionOf(info)
	fnARN := functionARN(region, fn)
	if err := tr.authorize(ctx, info, "lambda:InvokeFunction", fnARN); err != nil {
		return nil, &states.Error{Name: "Lambda.AWSLambdaException", Cause: withRequestID(err, "Lambda", http.StatusForbidden)}
	}
	var apiErr error
	out, err := states.LambdaFunc(func(ctx context.Context, payload any) (any, error) {
		b, err := json.Marshal(payload)
		if err != nil {
			return nil, err
		}
		res, fnErr, err := tr.s.lambda.InvokeFunction(ctx, region, fn, b, info.taskTrace(t.StateName, t.Attempt))
		if err != nil {
			apiErr = err
			return nil, err
		}
		if fnErr != nil {
			return nil, &states.LambdaError{Type: fnErr.Type, Message: fnErr.Message}
		}
		if len(bytes.TrimSpace(res)) == 0 {
			return nil, nil
		}
		return decode(res)
	}).Run(ctx, t)
	if apiErr != nil {
		return nil, lambdaAPIError(apiErr)
	}
	return out, err
}

// lambdaAPIError names a Lambda API error as the integration does:
// Lambda.<exception>, an access denial Lambda.AWSLambdaException.
func lambdaAPIError(err error) error {
	var e *localcloud.Error
	if !errors.As(err, &e) {
		return &states.Error{Name: "Lambda.SdkClientException", Cause: err.Error()}
	}
	name := "Lambda." + e.Code
	status := e.Status
	switch e.Code {
	case "AccessDeniedException", "AccessDenied":
		name, status = "Lambda.AWSLambdaException", http.StatusForbidden
	case "TooManyRequestsException":
		status = http.StatusTooManyRequests
	case "ResourceNotFoundException":
		status = http.StatusNotFound
	}
	if status == 0 {
		status = http.StatusBadRequest
	}
	return &states.Error{Name: name, Cause: withRequestID(err, "Lambda", status)}
}

// withRequestID is err's message as the SDK reports a service error.
func withRequestID(err error, service string, status int) string {
	msg := err.Error()
	var e *localcloud.Error
	if errors.As(err, &e) && e.Message != "" {
		msg = e.Message
	}
	return fmt.Sprintf("%s (Service: %s, Status Code: %d, Request ID: %s)", msg, service, status, localcloud.NewID())
}

// authorize checks the machine's role; the error is the denial.
func (tr taskRouter) authorize(ctx context.Context, info *execInfo, action, resource string) error {
	if tr.s.authorizer == nil || info == nil {
		return nil
	}
	err := tr.s.authorizer.Authorize(ctx, info.rec.RoleArn, action, resource)
	if err == nil {
		return nil
	}
	var e *localcloud.Error
	if errors.As(err, &e) && e.Message != "" {
		return err
	}
	if !errors.As(err, &e) && err.Error() != "" {
		return err
	}
	return &localcloud.Error{Code: "AccessDeniedException", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action",
		assumedRole(info.rec.RoleArn), action, resource, action)}
}

// assumedRole is the STS identity of a machine's role session.
func assumedRole(roleARN string) string {
	parts := strings.SplitN(roleARN, ":", 6)
	if len(parts) != 6 {
		return roleARN
	}
	role := parts[5][strings.LastIndex(parts[5], "/")+1:]
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "arn:aws:sts::" + parts[4] + ":assumed-role/" + role + "/" + hex.EncodeToString(b[:])
}

// publish runs arn:aws:states:::sns:publish.
func (tr taskRouter) publish(ctx context.Context, info *execInfo, t states.TaskRequest) (any, error) {
	if tr.s.publisher == nil {
		return nil, &states.Error{Name: "SNS.InternalErrorException", Cause: "the local cloud has no SNS service wired to Step Functions"}
	}
	p, _ := t.Parameters.(map[string]any)
	topic, _ := p["TopicArn"].(string)
	if topic == "" {
		if target, _ := p["TargetArn"].(string); target != "" {
			topic = target
		}
	}
	var msg string
	switch m := p["Message"].(type) {
	case string:
		msg = m
	case nil:
		return nil, &states.Error{Name: "SNS.InvalidParameterException", Cause: "Invalid parameter: Empty message"}
	default:
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		msg = string(b)
	}
	subject, _ := p["Subject"].(string)
	attrs := map[string]MessageAttribute{}
	if ma, ok := p["MessageAttributes"].(map[string]any); ok {
		for k, v := range ma {
			a, _ := v.(map[string]any)
			dt, _ := a["DataType"].(string)
			sv, _ := a["StringValue"].(string)
			attr := MessageAttribute{DataType: dt, StringValue: sv}
			if bv, ok := a["BinaryValue"].(string); ok {
				attr.BinaryValue = []byte(bv)
			}
			attrs[k] = attr
		}
	}
	if err := tr.authorize(ctx, info, "sns:Publish", topic); err != nil {
		return nil, &states.Error{Name: "SNS.AuthorizationErrorException", Cause: withRequestID(err, "Sns", http.StatusForbidden)}
	}
	id, err := tr.s.publisher.Publish(ctx, regionOf(info), topic, msg, subject, attrs)
	if err != nil {
		name, status := "SNS.InternalErrorException", http.StatusInternalServerError
		var e *localcloud.Error
		if errors.As(err, &e) {
			name, status = "SNS."+strings.TrimSuffix(e.Code, "Exception")+"Exception", e.Status
			if status == 0 {
				status = http.StatusBadRequest
			}
		}
		return nil, &states.Error{Name: name, Cause: withRequestID(err, "Sns", status)}
	}
	reqID := localcloud.NewID()
	return map[string]any{
		"MessageId": id,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": map[string]any{"x-amzn-RequestId": []any{reqID}, "Content-Type": []any{"text/xml"}},
			"HttpHeaders":    map[string]any{"x-amzn-RequestId": reqID, "Content-Type": "text/xml"},
			"HttpStatusCode": json.Number("200"),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": reqID},
	}, nil
}

func regionOf(info *execInfo) string {
	if info == nil {
		return localcloud.Region
	}
	return info.region
}

// isFunctionARN reports whether resource is a Lambda function's own ARN,
// the older form of a Task that invokes it.
func isFunctionARN(resource string) bool {
	return strings.HasPrefix(resource, "arn:aws:lambda:") && strings.Contains(resource, ":function:")
}

// functionARN is the ARN of a function named by name, ARN or partial ARN.
func functionARN(region, fn string) string {
	switch {
	case strings.HasPrefix(fn, "arn:"):
		return fn
	case strings.Contains(fn, ":function:"):
		return "arn:aws:lambda:" + region + ":" + fn
	}
	return "arn:aws:lambda:" + region + ":" + localcloud.Account + ":function:" + fn
}

func machineName(machineARN string) string {
	return machineARN[strings.LastIndex(machineARN, ":")+1:]
}

// decode parses a JSON document into the executor's values (numbers kept
// as json.Number).
func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &states.Error{Name: "States.Runtime", Cause: "the result is not JSON: " + err.Error()}
	}
	return v, nil
}

// asLocal is err as an AWS error, or nil.
func asLocal(err error) *localcloud.Error {
	var e *localcloud.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
