package functions

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/runtimeapi"
)

// Lambda's payload limits: 6 MB for a synchronous request or response,
// 1 MB for an asynchronous event (256 KB before October 2025).
const (
	maxSyncPayload  = 6 * 1024 * 1024
	maxAsyncPayload = 1024 * 1024
)

// InvokeInput is an invocation: the function (name, partial ARN or ARN,
// with an optional ":qualifier"), the event and how to invoke.
type InvokeInput struct {
	FunctionName, Qualifier string
	Payload                 []byte
	// InvocationType is RequestResponse (the default), Event or DryRun.
	InvocationType string
	// LogType Tail returns the end of the invocation's log in LogResult.
	LogType string
	// ClientContext is the base64 JSON document the function gets as its
	// client context.
	ClientContext string
	// TraceHeader is the caller's X-Amzn-Trace-Id, if any.
	TraceHeader string
}

// InvokeOutput is an invocation's outcome as Lambda's Invoke answers it.
type InvokeOutput struct {
	// StatusCode is 200, 202 (Event) or 204 (DryRun).
	StatusCode int
	// Payload is the function's response, or the error document when
	// FunctionError is set.
	Payload []byte
	// FunctionError is "Unhandled" when the function failed.
	FunctionError string
	// LogResult is the last 4 KB of the invocation's log, base64.
	LogResult       string
	ExecutedVersion string
	RequestID       string
}

// Invoke runs a function: synchronously, queued (Event: accepted once
// durably queued) or only checked (DryRun). A function's own failure is an
// InvokeOutput with FunctionError set; the error is Lambda's refusal (an
// *localcloud.Error, or a *ThrottleError wrapping one).
func (s *Service) Invoke(ctx context.Context, region string, in InvokeInput) (*InvokeOutput, error) {
	if region != "" && region != s.region {
		return nil, notFound("Function not found: arn:aws:lambda:" + region + ":" + s.account + ":function:" + in.FunctionName)
	}
	if in.InvocationType == "" {
		in.InvocationType = "RequestResponse"
	}
	var v validation
	v.enum(in.InvocationType, "invocationType", "Event", "RequestResponse", "DryRun")
	if in.LogType != "" {
		v.enum(in.LogType, "logType", "None", "Tail")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	rec, err := s.get(in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if rec.Config.State != "" && rec.Config.State != "Active" {
		return nil, conflict("The operation cannot be performed at this time. The function is currently in the following state: " + rec.Config.State)
	}
	// The codes and messages are what Lambda answers on the wire
	// (RequestEntityTooLargeException, not the model's RequestTooLargeException).
	if in.InvocationType == "Event" && len(in.Payload) > maxAsyncPayload {
		return nil, &localcloud.Error{Code: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("%d byte payload is too large for the Event invocation type (limit %d bytes)", len(in.Payload), maxAsyncPayload)}
	}
	if len(in.Payload) > maxSyncPayload {
		return nil, &localcloud.Error{Code: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload)}
	}
	if len(in.Payload) == 0 {
		in.Payload = []byte("{}")
	}
	if !json.Valid(in.Payload) {
		var x any
		err := json.Unmarshal(in.Payload, &x)
		return nil, &localcloud.Error{Code: "InvalidRequestContentException", Status: http.StatusBadRequest,
			Message: "Could not parse request body into json: Could not parse payload into json: " + err.Error()}
	}
	if in.ClientContext != "" {
		cc, err := base64.StdEncoding.DecodeString(in.ClientContext)
		if err != nil || !json.Valid(cc) {
			return nil, &localcloud.Error{Code: "InvalidRequestContentException", Status: http.StatusBadRequest,
				Message: "Client context must be a valid Base64-encoded JSON object."}
		}
		in.ClientContext = string(cc)
	}
	id := localcloud.NewID()
	switch in.InvocationType {
	case "DryRun":
		return &InvokeOutput{StatusCode: http.StatusNoContent, RequestID: id}, nil
	case "Event":
		if err := s.async.enqueue(rec.Config.FunctionName, id, in); err != nil {
			return nil, err
		}
		return &InvokeOutput{StatusCode: http.StatusAccepted, RequestID: id}, nil
	}
	return s.invokeSync(ctx, rec, in, id)
}

// invokeSync runs one invocation in an environment of the function.
func (s *Service) invokeSync(ctx context.Context, rec record, in InvokeInput, id string) (*InvokeOutput, error) {
	cfg := rec.Config
	p, err := s.run.admit(cfg, rec.Reserved)
	if err != nil {
		return nil, err
	}
	defer s.run.leave(cfg.FunctionName)
	out := &InvokeOutput{StatusCode: http.StatusOK, ExecutedVersion: latest, RequestID: id}
	tr := s.newTrace(cfg, in.TraceHeader)
	e, fresh, err := s.run.acquire(ctx, p)
	if err != nil {
		var fe *runtimeapi.FunctionError
		if errors.As(err, &fe) {
			out.setError(fe)
			return out, nil
		}
		return nil, err
	}
	inv := &invocation{s: s, cfg: cfg, env: e, id: id, tr: tr, cold: fresh}
	broken := inv.run(ctx, in)
	s.run.release(e, broken)
	if inv.err != nil {
		return nil, inv.err
	}
	if inv.res.Error != nil {
		out.setError(inv.res.Error)
	} else {
		out.Payload = inv.res.Payload
	}
	if in.LogType == "Tail" {
		out.LogResult = tail(inv.lines)
	}
	return out, nil
}

func (o *InvokeOutput) setError(fe *runtimeapi.FunctionError) {
	o.FunctionError = "Unhandled"
	o.Payload, _ = json.Marshal(fe)
}

// codeBySha reads stored code by its hash.
func (s *Service) codeBySha(sum string) ([]byte, error) {
	var zipped []byte
	var found bool
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		found, err = tx.Get(tableCode, sum, &zipped)
		return err
	})
	if err == nil && !found {
		err = fmt.Errorf("the code %s is missing from the store", sum)
	}
	return zipped, err
}
