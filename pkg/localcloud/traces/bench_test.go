package traces_test

import (
	"context"
	"testing"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
)

// BenchmarkGetTraceSummaries reads the summaries of 1,000 traces of four
// segments each (one an independent subsegment), with a filter: every
// call reads and joins every trace, which is what a local cloud's volume
// affords.
func BenchmarkGetTraceSummaries(b *testing.B) {
	ctx := context.Background()
	svc := traces.New(lctest.Store(b))
	for i := 1; i <= 1000; i++ {
		tid := traceID(i)
		for _, s := range []traces.Segment{
			{Name: "pizza", ID: segID(4*i + 1), TraceID: tid, StartTime: at(0), EndTime: at(100), Origin: "AWS::StepFunctions::StateMachine",
				Subsegments: []traces.Segment{{Name: "CheckPizza", ID: segID(4*i + 2), StartTime: at(1), EndTime: at(50)}}},
			{Name: "pizza-CheckPizza", ID: segID(4*i + 3), TraceID: tid, ParentID: segID(4*i + 2), StartTime: at(2), EndTime: at(49), Origin: "AWS::Lambda", Annotations: map[string]any{"order": "42"}},
			{Type: "subsegment", Name: "Invocation", ID: segID(4*i + 4), TraceID: tid, ParentID: segID(4*i + 3), StartTime: at(3), EndTime: at(48)},
		} {
			if err := svc.PutSegment(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
	}
	in := &traces.GetTraceSummariesInput{StartTime: ptr(localcloud.Time(t0.Add(-time.Minute))), EndTime: ptr(localcloud.Time(t0.Add(time.Hour))), FilterExpression: `service("pizza") AND annotation.order = "42"`}
	b.ResetTimer()
	for b.Loop() {
		out, err := svc.GetTraceSummaries(ctx, in)
		if err != nil || out.TracesProcessedCount != 1000 {
			b.Fatal(err, out.TracesProcessedCount)
		}
	}
}

func ptr[T any](v T) *T { return &v }
