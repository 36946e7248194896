package runtimeapi

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// MaxResponseBytes is Lambda's limit on a synchronous response payload.
const MaxResponseBytes = 6 * 1024 * 1024

// Result is the outcome of one invocation.
type Result struct {
	RequestID string
	// Payload is the function's response; nil when it reported an error.
	Payload []byte
	// Error is the function's error reply, or the error Lambda itself reports
	// (Sandbox.Timedout, Runtime.ExitError, Function.ResponseSizeTooLarge).
	Error *FunctionError
	// Duration runs from handing the event over to receiving the reply.
	Duration time.Duration
	// Cold is true when this invocation started a new process.
	Cold bool
}

// FunctionError is an error reply in the Runtime API's shape, which is also
// what Lambda's Invoke returns and Step Functions matches on.
type FunctionError struct {
	Type       string `json:"errorType"`
	Message    string `json:"errorMessage"`
	StackTrace any    `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// InvokeOption sets a detail of one invocation.
type InvokeOption func(*invocation)

// WithTraceHeader passes an X-Ray trace header (Lambda-Runtime-Trace-Id).
func WithTraceHeader(h string) InvokeOption { return func(i *invocation) { i.traceHeader = h } }

// WithRequestID sets the request id instead of a generated one.
func WithRequestID(id string) InvokeOption { return func(i *invocation) { i.requestID = id } }

// WithClientContext passes the caller's client context, the JSON document
// Invoke's X-Amz-Client-Context carries (Lambda-Runtime-Client-Context).
func WithClientContext(c string) InvokeOption { return func(i *invocation) { i.clientContext = c } }

type invocation struct {
	requestID     string
	traceHeader   string
	clientContext string
	payload       []byte
	done          chan *Result // receives the reply once
}

// Invoke hands payload to the function and waits for its reply. A function
// error is a Result with Error set, not a Go error; the Go error reports that
// no reply could be had at all (instance closed, ctx done, init failed).
func (in *Instance) Invoke(ctx context.Context, payload []byte, opts ...InvokeOption) (*Result, error) {
	in.invokeMu.Lock()
	defer in.invokeMu.Unlock()

	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return nil, errClosed
	}
	in.seq++
	inv := &invocation{
		requestID: fmt.Sprintf("%08x-0000-4000-8000-%012x", time.Now().UnixNano()&0xffffffff, in.seq),
		payload:   payload,
		done:      make(chan *Result, 1),
	}
	for _, o := range opts {
		o(inv)
	}
	p := in.proc
	in.mu.Unlock()

	cold := false
	select {
	case <-p.exited:
		if err := in.startProcess(); err != nil {
			return nil, err
		}
		in.mu.Lock()
		p = in.proc
		in.mu.Unlock()
		cold = true
	default:
	}
	in.mu.Lock()
	if !p.served {
		p.served = true
		cold = true
	}
	in.mu.Unlock()

	start := time.Now()
	timer := time.NewTimer(in.fn.Timeout + initAllowance(cold))
	defer timer.Stop()

	// Hand the event to /next.
	select {
	case in.pending <- inv:
	case <-p.exited:
		return in.exitResult(inv, p, cold, start)
	case <-timer.C:
		in.stop(p)
		return in.timeoutResult(inv, cold, start), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// The function's timeout counts from handing the event over, as in Lambda.
	timer.Reset(in.fn.Timeout)
	select {
	case r := <-inv.done:
		r.Duration = time.Since(start)
		r.Cold = cold
		return r, nil
	case <-p.exited:
		select {
		case r := <-inv.done:
			r.Duration = time.Since(start)
			r.Cold = cold
			return r, nil
		default:
		}
		return in.exitResult(inv, p, cold, start)
	case <-timer.C:
		in.stop(p)
		return in.timeoutResult(inv, cold, start), nil
	case <-ctx.Done():
		in.stop(p)
		return nil, ctx.Err()
	}
}

// initAllowance is the extra time a cold invocation gets for init: Lambda
// gives init its own 10 s budget before the function timeout starts.
func initAllowance(cold bool) time.Duration {
	if cold {
		return 10 * time.Second
	}
	return 0
}

func (in *Instance) timeoutResult(inv *invocation, cold bool, start time.Time) *Result {
	secs := strconv.FormatFloat(in.fn.Timeout.Seconds(), 'f', 2, 64)
	return &Result{RequestID: inv.requestID, Cold: cold, Duration: time.Since(start), Error: &FunctionError{
		Type:    "Sandbox.Timedout",
		Message: "Task timed out after " + secs + " seconds",
	}}
}

func (in *Instance) exitResult(inv *invocation, p *process, cold bool, start time.Time) (*Result, error) {
	if e := p.initError(); e != nil {
		return &Result{RequestID: inv.requestID, Cold: cold, Duration: time.Since(start), Error: e}, nil
	}
	return &Result{RequestID: inv.requestID, Cold: cold, Duration: time.Since(start), Error: &FunctionError{
		Type:    "Runtime.ExitError",
		Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", inv.requestID, p.exitErr),
	}}, nil
}
