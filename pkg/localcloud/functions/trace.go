package functions

import (
	"context"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud/traces"
)

// trace is an invocation's place in X-Ray: the caller's trace (or a new
// one) and the ids of the two segments Lambda writes for it.
type trace struct {
	root, parent string // the caller's trace and segment
	sampled      bool
	serviceID    string // the AWS::Lambda segment
	functionID   string // the AWS::Lambda::Function segment
	header       string // what the function gets: its parent is the function segment
	start        time.Time
	on           bool // sampled and a tracer to write to
}

func (t *trace) traced() bool { return t.on }

// newTrace continues the caller's trace or starts one. Lambda samples
// when the caller's header says Sampled=1, or, with no decision made
// upstream, when the function's tracing mode is Active (the local cloud
// samples every such request, not 1 a second and 5% of the rest).
func (s *Service) newTrace(c Configuration, incoming string) *trace {
	now := time.Now()
	h := traces.ParseHeader(incoming)
	if h.Root == "" {
		h = traces.Header{Root: traces.NewTraceID(now)}
	}
	t := &trace{root: h.Root, parent: h.Parent, start: now, serviceID: traces.NewSegmentID(), functionID: traces.NewSegmentID()}
	t.sampled = h.Sampled == "1" || h.Sampled == "" && c.TracingConfig.Mode == "Active"
	t.on = t.sampled && s.opts.tracer != nil
	sampled := "0"
	if t.sampled {
		sampled = "1"
	}
	t.header = traces.Header{Root: t.root, Parent: t.functionID, Sampled: sampled}.String()
	return t
}

// finishTrace writes the Lambda service segment and the function segment
// with its Initialization (on a cold start), Invocation and Overhead
// subsegments, as Lambda does.
func (s *Service) finishTrace(ctx context.Context, v *invocation, initStart, start, end time.Time) {
	t := v.tr
	if !t.on {
		return
	}
	ctx = context.WithoutCancel(ctx)
	now := time.Now()
	arn := s.functionArn(v.cfg.FunctionName)
	svc := traces.Segment{
		Name: v.cfg.FunctionName, ID: t.serviceID, TraceID: t.root, ParentID: t.parent, Origin: "AWS::Lambda",
		StartTime: traces.Seconds(t.start), EndTime: traces.Seconds(now), ResourceARN: arn,
		AWS:  map[string]any{"request_id": v.id},
		HTTP: &traces.HTTP{Response: &traces.HTTPResponse{Status: 200}},
	}
	fn := traces.Segment{
		Name: v.cfg.FunctionName, ID: t.functionID, TraceID: t.root, ParentID: t.serviceID, Origin: "AWS::Lambda::Function",
		StartTime: traces.Seconds(initStart), EndTime: traces.Seconds(now), ResourceARN: arn,
		AWS: map[string]any{"function_arn": arn, "resource_names": []string{v.cfg.FunctionName}},
	}
	if v.cold {
		fn.Subsegments = append(fn.Subsegments, traces.Segment{Name: "Initialization", ID: traces.NewSegmentID(),
			StartTime: traces.Seconds(initStart), EndTime: traces.Seconds(initStart.Add(v.initDur))})
	}
	inv := traces.Segment{Name: "Invocation", ID: traces.NewSegmentID(), StartTime: traces.Seconds(start), EndTime: traces.Seconds(end)}
	if fe := v.res.Error; fe != nil {
		cause := &traces.Cause{Exceptions: []traces.Exception{{ID: traces.NewSegmentID(), Type: fe.Type, Message: fe.Message}}}
		if fe.Type == "Sandbox.Timedout" || fe.Type == "Runtime.ExitError" {
			inv.Fault, fn.Fault = true, true
		} else {
			inv.Error, fn.Error = true, true
		}
		inv.Cause, fn.Cause = cause, cause
	}
	fn.Subsegments = append(fn.Subsegments, inv,
		traces.Segment{Name: "Overhead", ID: traces.NewSegmentID(), StartTime: traces.Seconds(end), EndTime: traces.Seconds(now)})
	for _, seg := range []traces.Segment{svc, fn} {
		if err := s.opts.tracer.PutSegment(ctx, seg); err != nil && s.opts.logger != nil {
			s.opts.logger.Printf("lambda: trace segment of %s: %v", v.cfg.FunctionName, err)
		}
	}
}
