package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/functions"
	"github.com/stepforge/stepforge/pkg/localcloud/identity"
	"github.com/stepforge/stepforge/pkg/localcloud/keys"
	"github.com/stepforge/stepforge/pkg/localcloud/logs"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
	"github.com/stepforge/stepforge/pkg/localcloud/topics"
)

// The services talk through small interfaces declared where they are
// used; the adapters here join them where the shapes differ.

// topicKeys checks an encrypted topic's KMS key for SNS Publish.
type topicKeys struct{ kms *keys.Service }

func (k topicKeys) CheckKey(ctx context.Context, region, keyID string) error {
	key, err := k.kms.DescribeKey(keys.WithRegion(ctx, region), keyID)
	if err != nil {
		var e *localcloud.Error
		if errors.As(err, &e) {
			return &localcloud.Error{Code: "KMSNotFound", Status: http.StatusBadRequest, Message: e.Message}
		}
		return err
	}
	if key.KeyState != "Enabled" {
		return &localcloud.Error{Code: "KMSDisabled", Status: http.StatusBadRequest,
			Message: "Invalid parameter: The KMS key " + key.Arn + " is " + key.KeyState + "."}
	}
	return nil
}

// logSink writes functions' and state machines' log lines into
// CloudWatch Logs, making the group when it is missing (the templates
// declare their groups; a function created by hand gets one, as Lambda
// makes it for a role that may).
type logSink struct{ logs *logs.Service }

func (l logSink) append(ctx context.Context, group, stream string, events []logs.Event) error {
	err := l.logs.Append(ctx, group, stream, events)
	var e *localcloud.Error
	if errors.As(err, &e) && e.Code == "ResourceNotFoundException" {
		if _, cerr := l.logs.CreateGroup(ctx, localcloud.Region, logs.CreateGroupInput{LogGroupName: group}); cerr != nil {
			var ce *localcloud.Error
			if !errors.As(cerr, &ce) || ce.Code != "ResourceAlreadyExistsException" {
				return cerr
			}
		}
		err = l.logs.Append(ctx, group, stream, events)
	}
	return err
}

// functionLogs and machineLogs are the delivery as Lambda's and Step
// Functions' LogSink: their LogLine types are the same shape.
type (
	functionLogs struct{ d *delivery }
	machineLogs  struct{ d *delivery }
)

func (l functionLogs) Append(_ context.Context, group, stream string, lines []functions.LogLine) error {
	appendLines(l.d, group, stream, lines)
	return nil
}

func (l machineLogs) Append(_ context.Context, group, stream string, lines []machines.LogLine) error {
	appendLines(l.d, group, stream, lines)
	return nil
}

type logLine interface {
	~struct {
		Time    time.Time
		Message string
	}
}

func appendLines[L logLine](d *delivery, group, stream string, lines []L) {
	times, msgs := make([]time.Time, len(lines)), make([]string, len(lines))
	for i, line := range lines {
		l := struct {
			Time    time.Time
			Message string
		}(line)
		times[i], msgs[i] = l.Time, l.Message
	}
	d.appendLines(group, stream, times, msgs)
}

// roles issues role sessions and answers for them, for the services
// that act as a role: Lambda (lambda.amazonaws.com) and Step Functions.
type roles struct {
	iam       *identity.Service
	principal string
}

func (r roles) IssueCredentials(ctx context.Context, roleARN, sessionName string) (string, string, string, time.Time, error) {
	return r.iam.IssueCredentials(ctx, roleARN, sessionName, r.principal)
}

func (r roles) Allowed(ctx context.Context, roleARN, action, resource string) bool {
	d, err := r.iam.Evaluate(ctx, roleARN, action, resource, nil)
	return err == nil && d.Allowed
}

func (r roles) Authorize(ctx context.Context, roleARN, action, resource string) error {
	return r.iam.Authorize(ctx, sessionARN(roleARN), action, resource, nil)
}

// sessionARN is the assumed-role session Step Functions acts as: AWS
// names its sessions with a random id, so the denial it reports names
// arn:aws:sts::<account>:assumed-role/<role>/<session>.
func sessionARN(roleARN string) string {
	name, ok := identity.RoleNameFromArn(roleARN)
	account := localcloud.Account
	if parts := strings.Split(roleARN, ":"); len(parts) > 4 && parts[4] != "" {
		account = parts[4]
	}
	if !ok {
		return roleARN
	}
	return "arn:aws:sts::" + account + ":assumed-role/" + name + "/" + sessionID()
}

func sessionID() string { return strings.ReplaceAll(localcloud.NewID(), "-", "")[:32] }

// lambdaTasks invokes functions for Step Functions' Task states.
type lambdaTasks struct{ lambda *functions.Service }

func (l lambdaTasks) InvokeFunction(ctx context.Context, region, function string, payload []byte, traceHeader string) ([]byte, *machines.FunctionError, error) {
	out, err := l.lambda.Invoke(ctx, region, functions.InvokeInput{FunctionName: function, Payload: payload, TraceHeader: traceHeader})
	if err != nil {
		return nil, nil, err
	}
	if out.FunctionError != "" {
		var fe struct {
			Type    string `json:"errorType"`
			Message string `json:"errorMessage"`
		}
		_ = json.Unmarshal(out.Payload, &fe)
		return out.Payload, &machines.FunctionError{Type: fe.Type, Message: fe.Message}, nil
	}
	return out.Payload, nil, nil
}

// publisher publishes to SNS for Step Functions' sns:publish tasks.
type publisher struct{ sns *topics.Service }

func (p publisher) Publish(ctx context.Context, region, topicARN, message, subject string, attributes map[string]machines.MessageAttribute) (string, error) {
	in := topics.PublishInput{TopicArn: topicARN, Message: message, Subject: subject}
	if len(attributes) > 0 {
		in.MessageAttributes = map[string]topics.MessageAttribute{}
		for k, a := range attributes {
			in.MessageAttributes[k] = topics.MessageAttribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
		}
	}
	return p.sns.Publish(ctx, region, in)
}

// asyncLambda invokes a function asynchronously (InvocationType Event),
// as SNS and EventBridge deliver to Lambda.
type asyncLambda struct{ lambda *functions.Service }

func (l asyncLambda) InvokeAsync(ctx context.Context, region, functionARN string, payload []byte) error {
	_, err := l.lambda.Invoke(ctx, region, functions.InvokeInput{FunctionName: functionARN, Payload: payload, InvocationType: "Event"})
	return err
}

// executionStarter starts executions for EventBridge's Step Functions
// targets.
type executionStarter struct{ sfn *machines.Service }

func (e executionStarter) StartExecution(ctx context.Context, _, machineARN, input string) error {
	_, err := e.sfn.StartExecution(ctx, machines.StartInput{StateMachineArn: machineARN, Input: &input})
	return err
}

// snsPublisher publishes for EventBridge's SNS targets.
type snsPublisher struct{ sns *topics.Service }

func (p snsPublisher) Publish(ctx context.Context, region, topicARN, message string) error {
	_, err := p.sns.Publish(ctx, region, topics.PublishInput{TopicArn: topicARN, Message: message})
	return err
}

// functionPolicy answers whether a function's resource-based policy (its
// AWS::Lambda::Permission statements) lets a service principal invoke it
// from a source ARN: what API Gateway and EventBridge need before they
// invoke, as in AWS.
type functionPolicy struct{ lambda *functions.Service }

func (p functionPolicy) AllowsInvoke(ctx context.Context, functionARN, principal, sourceARN string) (bool, error) {
	doc, _, err := p.lambda.GetPolicy(ctx, functionARN, "")
	var e *localcloud.Error
	if errors.As(err, &e) && e.Code == "ResourceNotFoundException" {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return identity.AllowsService(doc, principal, "lambda:InvokeFunction", functionARN,
		map[string][]string{"aws:SourceArn": {sourceARN}, "aws:SourceAccount": {accountOf(sourceARN)}})
}

func accountOf(arn string) string {
	if parts := strings.SplitN(arn, ":", 6); len(parts) > 4 {
		return parts[4]
	}
	return ""
}

// apiStepFunctions runs API Gateway's Step Functions integrations through
// the Step Functions API's own operation, so the caller gets exactly the
// JSON that API answers.
type apiStepFunctions struct{ sfn *machines.Service }

func (a apiStepFunctions) call(ctx context.Context, op, region string, body []byte) (int, []byte, error) {
	out, err := a.sfn.Call(ctx, op, &localcloud.Request{Body: body, Region: region})
	var e *localcloud.Error
	if errors.As(err, &e) {
		status := e.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
		return status, b, nil
	}
	if err != nil {
		return 0, nil, err
	}
	b, err := json.Marshal(out)
	return http.StatusOK, b, err
}

func (a apiStepFunctions) StartExecution(ctx context.Context, region string, body []byte) (int, []byte, error) {
	return a.call(ctx, "StartExecution", region, body)
}

func (a apiStepFunctions) StartSyncExecution(ctx context.Context, region string, body []byte) (int, []byte, error) {
	return a.call(ctx, "StartSyncExecution", region, body)
}

// apiLambda invokes functions for API Gateway's proxy integrations.
type apiLambda struct{ lambda *functions.Service }

func (a apiLambda) Invoke(ctx context.Context, region, functionARN string, payload []byte) ([]byte, string, error) {
	out, err := a.lambda.Invoke(ctx, region, functions.InvokeInput{FunctionName: functionARN, Payload: payload})
	if err != nil {
		return nil, "", err
	}
	return out.Payload, out.FunctionError, nil
}
