package traces

import (
	"context"
	"encoding/base64"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// ServiceID names a service of a trace: a segment's name and origin, or
// a downstream service a subsegment called (namespace "aws" or "remote").
type ServiceID struct {
	Name      string   `json:"Name"`
	Names     []string `json:"Names"`
	AccountID string   `json:"AccountId,omitempty"`
	Type      string   `json:"Type,omitempty"`
}

// serviceKey is what makes two ServiceIDs the same service.
type serviceKey struct{ name, typ string }

// HTTPSummary is the entry point's request and response.
type HTTPSummary struct {
	HTTPURL    string `json:"HttpURL,omitempty"`
	HTTPStatus *int   `json:"HttpStatus,omitempty"`
	HTTPMethod string `json:"HttpMethod,omitempty"`
	UserAgent  string `json:"UserAgent,omitempty"`
	ClientIP   string `json:"ClientIp,omitempty"`
}

// AnnotationValue is one of a number, a boolean or a string.
type AnnotationValue struct {
	NumberValue  *float64 `json:"NumberValue,omitempty"`
	BooleanValue *bool    `json:"BooleanValue,omitempty"`
	StringValue  *string  `json:"StringValue,omitempty"`
}

// ValueWithServiceIDs is an annotation's value and the services that
// recorded it.
type ValueWithServiceIDs struct {
	AnnotationValue AnnotationValue `json:"AnnotationValue"`
	ServiceIDs      []ServiceID     `json:"ServiceIds"`
}

// TraceSummary is what GetTraceSummaries tells of one trace.
type TraceSummary struct {
	ID           string                           `json:"Id"`
	StartTime    localcloud.Time                  `json:"StartTime"`
	Duration     float64                          `json:"Duration"`
	ResponseTime float64                          `json:"ResponseTime"`
	HasError     bool                             `json:"HasError"`
	HasFault     bool                             `json:"HasFault"`
	HasThrottle  bool                             `json:"HasThrottle"`
	IsPartial    bool                             `json:"IsPartial"`
	HTTP         HTTPSummary                      `json:"Http"`
	Annotations  map[string][]ValueWithServiceIDs `json:"Annotations"`
	ServiceIDs   []ServiceID                      `json:"ServiceIds"`
	EntryPoint   *ServiceID                       `json:"EntryPoint,omitempty"`
	Revision     int                              `json:"Revision"`

	updated, rootStart float64   // seconds: the last event; the trace id's time
	ends               []float64 // every segment's end, for TimeRangeType Service
}

// GetTraceSummariesInput is GetTraceSummaries' request.
type GetTraceSummariesInput struct {
	StartTime        *localcloud.Time `json:"StartTime"`
	EndTime          *localcloud.Time `json:"EndTime"`
	TimeRangeType    string           `json:"TimeRangeType"`
	Sampling         *bool            `json:"Sampling"`
	FilterExpression string           `json:"FilterExpression"`
	NextToken        string           `json:"NextToken"`
}

// GetTraceSummariesOutput is GetTraceSummaries' answer.
type GetTraceSummariesOutput struct {
	TraceSummaries       []TraceSummary  `json:"TraceSummaries"`
	ApproximateTime      localcloud.Time `json:"ApproximateTime"`
	TracesProcessedCount int64           `json:"TracesProcessedCount"`
	NextToken            string          `json:"NextToken,omitempty"`
}

// summaryPage is how many summaries one GetTraceSummaries answer holds.
const summaryPage = 100

// GetTraceSummaries lists the traces of a time range that match the
// filter expression, newest first, a page at a time. Sampling is
// accepted and ignored: a local cloud's traces are few enough to answer
// all of them.
func (s *Service) GetTraceSummaries(ctx context.Context, in *GetTraceSummariesInput) (*GetTraceSummariesOutput, error) {
	if in.StartTime == nil || in.EndTime == nil {
		return nil, invalidRequest("StartTime and EndTime are required")
	}
	start, end := seconds(*in.StartTime), seconds(*in.EndTime)
	if end < start {
		return nil, invalidRequest("EndTime must be after StartTime")
	}
	switch in.TimeRangeType {
	case "", "TraceId", "Event", "Service":
	default:
		return nil, invalidRequest("TimeRangeType %q is not one of TraceId, Event, Service", in.TimeRangeType)
	}
	filter, err := parseFilter(in.FilterExpression)
	if err != nil {
		return nil, err
	}
	offset := 0
	if in.NextToken != "" {
		b, err := base64.StdEncoding.DecodeString(in.NextToken)
		if offset, _ = strconv.Atoi(string(b)); err != nil || offset <= 0 {
			return nil, invalidRequest("the NextToken is not one this service gave")
		}
	}
	var all []TraceSummary
	var processed int64
	err = s.store.View(func(tx *localcloud.Tx) error {
		ids, err := traceIDs(tx)
		if err != nil {
			return err
		}
		for _, id := range ids {
			t, ok, err := loadTrace(tx, id)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			sum := summarize(t)
			if !inRange(sum, in.TimeRangeType, start, end) {
				continue
			}
			processed++
			if filter == nil || filter.match(&sum) {
				all = append(all, sum)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(all, func(i, j int) bool {
		return time.Time(all[i].StartTime).After(time.Time(all[j].StartTime))
	})
	out := &GetTraceSummariesOutput{ApproximateTime: localcloud.Time(s.now()), TracesProcessedCount: processed, TraceSummaries: []TraceSummary{}}
	if offset < len(all) {
		page := all[offset:]
		if len(page) > summaryPage {
			page = page[:summaryPage]
			out.NextToken = base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(offset + summaryPage)))
		}
		out.TraceSummaries = page
	}
	return out, nil
}

func seconds(t localcloud.Time) float64 { return Seconds(time.Time(t)) }

// inRange applies the time range: by the trace id's time (TraceId), by
// the trace's last event (Event, the default) or by any segment's end
// (Service).
func inRange(sum TraceSummary, kind string, start, end float64) bool {
	switch kind {
	case "TraceId":
		return sum.rootStart >= math.Floor(start) && sum.rootStart <= end
	case "Service":
		for _, e := range sum.ends {
			if e >= start && e <= end {
				return true
			}
		}
		return false
	}
	return sum.updated >= start && sum.updated <= end
}

// summarize computes a trace's summary from its segments.
func summarize(t *trace) TraceSummary {
	sum := TraceSummary{ID: t.ID, Annotations: map[string][]ValueWithServiceIDs{}, ServiceIDs: []ServiceID{}, Revision: 1}
	if len(t.ID) >= 10 {
		if sec, err := strconv.ParseInt(t.ID[2:10], 16, 64); err == nil {
			sum.rootStart = float64(sec)
		}
	}
	ids := map[string]bool{}
	var walk func(seg *Segment)
	for _, seg := range t.Segments {
		walk = func(s *Segment) { ids[s.ID] = true; forEach(s.Subsegments, walk) }
		walk(&seg)
	}
	first, last := math.Inf(1), 0.0
	seen := map[serviceKey]bool{}
	addService := func(sid ServiceID) {
		key := serviceKey{sid.Name, sid.Type}
		if !seen[key] {
			seen[key] = true
			sum.ServiceIDs = append(sum.ServiceIDs, sid)
		}
	}
	var root *Segment
	for i := range t.Segments {
		seg := &t.Segments[i]
		sid := serviceOf(seg)
		addService(sid)
		if root == nil && (seg.ParentID == "" || !ids[seg.ParentID]) {
			root = seg
		}
		first = math.Min(first, seg.StartTime)
		end := seg.EndTime
		if seg.InProgress || end == 0 {
			end = seg.StartTime
		}
		last = math.Max(last, end)
		sum.ends = append(sum.ends, end)
		walk = func(s *Segment) {
			sum.HasError = sum.HasError || s.Error
			sum.HasFault = sum.HasFault || s.Fault
			sum.HasThrottle = sum.HasThrottle || s.Throttle
			sum.IsPartial = sum.IsPartial || s.InProgress
			for k, v := range s.Annotations {
				sum.Annotations[k] = append(sum.Annotations[k], ValueWithServiceIDs{AnnotationValue: annotationValue(v), ServiceIDs: []ServiceID{sid}})
			}
			if s != seg && (s.Namespace == "aws" || s.Namespace == "remote") {
				addService(ServiceID{Name: s.Name, Names: []string{s.Name}, AccountID: localcloud.Account, Type: downstreamType(s)})
			}
			forEach(s.Subsegments, walk)
		}
		walk(seg)
	}
	if len(t.Segments) > 0 {
		sum.StartTime = localcloud.Time(time.UnixMicro(int64(math.Round(first * 1e6))).UTC())
		sum.Duration = round3(last - first)
		sum.updated = last
	}
	if root != nil {
		ep := serviceOf(root)
		sum.EntryPoint = &ep
		if !root.InProgress {
			sum.ResponseTime = round3(root.EndTime - root.StartTime)
		}
		if h := root.HTTP; h != nil {
			if h.Request != nil {
				sum.HTTP = HTTPSummary{HTTPURL: h.Request.URL, HTTPMethod: h.Request.Method, UserAgent: h.Request.UserAgent, ClientIP: h.Request.ClientIP}
			}
			if h.Response != nil && h.Response.Status != 0 {
				st := h.Response.Status
				sum.HTTP.HTTPStatus = &st
			}
		}
	}
	return sum
}

func forEach(segs []Segment, fn func(*Segment)) {
	for i := range segs {
		fn(&segs[i])
	}
}

func serviceOf(seg *Segment) ServiceID {
	return ServiceID{Name: seg.Name, Names: []string{seg.Name}, AccountID: localcloud.Account, Type: seg.Origin}
}

// downstreamType is the type X-Ray infers for a service a subsegment
// called: AWS::<name> for an AWS SDK call, "remote" for another.
func downstreamType(s *Segment) string {
	if s.Namespace == "aws" {
		return "AWS::" + s.Name
	}
	return "remote"
}

func annotationValue(v any) AnnotationValue {
	switch x := v.(type) {
	case bool:
		return AnnotationValue{BooleanValue: &x}
	case float64:
		return AnnotationValue{NumberValue: &x}
	case string:
		return AnnotationValue{StringValue: &x}
	}
	s := ""
	return AnnotationValue{StringValue: &s}
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// TraceSegment is one segment of a trace BatchGetTraces answers: its id
// and document, independent subsegments attached.
type TraceSegment struct {
	ID       string `json:"Id"`
	Document string `json:"Document"`
}

// Trace is one trace BatchGetTraces answers.
type Trace struct {
	ID            string         `json:"Id"`
	Duration      float64        `json:"Duration"`
	LimitExceeded bool           `json:"LimitExceeded"`
	Segments      []TraceSegment `json:"Segments"`
}

// BatchGetTracesOutput is BatchGetTraces' answer.
type BatchGetTracesOutput struct {
	Traces              []Trace  `json:"Traces"`
	UnprocessedTraceIDs []string `json:"UnprocessedTraceIds"`
}

// maxBatch is how many trace ids BatchGetTraces takes at once.
const maxBatch = 5

// BatchGetTraces answers the traces named (up to five), their unknown
// ids as UnprocessedTraceIds.
func (s *Service) BatchGetTraces(ctx context.Context, ids []string) (*BatchGetTracesOutput, error) {
	if len(ids) == 0 {
		return nil, invalidRequest("TraceIds must hold at least one trace id")
	}
	if len(ids) > maxBatch {
		return nil, invalidRequest("TraceIds holds %d trace ids; the most one request takes is %d", len(ids), maxBatch)
	}
	out := &BatchGetTracesOutput{Traces: []Trace{}, UnprocessedTraceIDs: []string{}}
	err := s.store.View(func(tx *localcloud.Tx) error {
		for _, id := range ids {
			t, ok, err := loadTrace(tx, id)
			if err != nil {
				return err
			}
			if !ok {
				out.UnprocessedTraceIDs = append(out.UnprocessedTraceIDs, id)
				continue
			}
			tr := Trace{ID: id, Duration: summarize(t).Duration, Segments: []TraceSegment{}}
			for _, seg := range t.Segments {
				tr.Segments = append(tr.Segments, TraceSegment{ID: seg.ID, Document: string(t.Docs[seg.ID])})
			}
			out.Traces = append(out.Traces, tr)
		}
		return nil
	})
	return out, err
}
