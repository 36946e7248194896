package traces

import (
	"context"
	"math"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// GraphService is one node of GetTraceGraph: a service of the traces.
type GraphService struct {
	ReferenceID       int               `json:"ReferenceId"`
	Name              string            `json:"Name"`
	Names             []string          `json:"Names"`
	Root              bool              `json:"Root"`
	AccountID         string            `json:"AccountId"`
	Type              string            `json:"Type"`
	State             string            `json:"State"`
	StartTime         localcloud.Time   `json:"StartTime"`
	EndTime           localcloud.Time   `json:"EndTime"`
	Edges             []GraphEdge       `json:"Edges"`
	SummaryStatistics ServiceStatistics `json:"SummaryStatistics"`
}

// GraphEdge is a call from one service to the one ReferenceID names.
type GraphEdge struct {
	ReferenceID int             `json:"ReferenceId"`
	StartTime   localcloud.Time `json:"StartTime"`
	EndTime     localcloud.Time `json:"EndTime"`
}

// ServiceStatistics counts a service's segments by outcome.
type ServiceStatistics struct {
	OkCount           int64       `json:"OkCount"`
	ErrorStatistics   ErrorCounts `json:"ErrorStatistics"`
	FaultStatistics   FaultCounts `json:"FaultStatistics"`
	TotalCount        int64       `json:"TotalCount"`
	TotalResponseTime float64     `json:"TotalResponseTime"`
}

// ErrorCounts are a service's client errors.
type ErrorCounts struct {
	ThrottleCount int64 `json:"ThrottleCount"`
	OtherCount    int64 `json:"OtherCount"`
	TotalCount    int64 `json:"TotalCount"`
}

// FaultCounts are a service's server faults.
type FaultCounts struct {
	OtherCount int64 `json:"OtherCount"`
	TotalCount int64 `json:"TotalCount"`
}

// GetTraceGraphOutput is GetTraceGraph's answer.
type GetTraceGraphOutput struct {
	Services []GraphService `json:"Services"`
}

// GetTraceGraph is the service graph of the traces named (up to five):
// a node per segment's service and per AWS or remote service a
// subsegment called, an edge where a segment's parent is a subsegment
// of another service's segment, or a subsegment called a service that
// sent no segment of its own.
func (s *Service) GetTraceGraph(ctx context.Context, ids []string) (*GetTraceGraphOutput, error) {
	if len(ids) == 0 {
		return nil, invalidRequest("TraceIds must hold at least one trace id")
	}
	if len(ids) > maxBatch {
		return nil, invalidRequest("TraceIds holds %d trace ids; the most one request takes is %d", len(ids), maxBatch)
	}
	g := &graph{refs: map[serviceKey]int{}}
	err := s.store.View(func(tx *localcloud.Tx) error {
		for _, id := range ids {
			t, ok, err := loadTrace(tx, id)
			if err != nil || !ok {
				return err
			}
			g.add(t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &GetTraceGraphOutput{Services: g.services}, nil
}

type graph struct {
	refs     map[serviceKey]int
	services []GraphService
}

func (g *graph) node(id ServiceID, start, end float64) *GraphService {
	key := serviceKey{id.Name, id.Type}
	ref, ok := g.refs[key]
	if !ok {
		ref = len(g.services)
		g.refs[key] = ref
		g.services = append(g.services, GraphService{ReferenceID: ref, Name: id.Name, Names: []string{id.Name}, AccountID: localcloud.Account,
			Type: id.Type, State: "active", StartTime: epoch(start), EndTime: epoch(end), Edges: []GraphEdge{}})
	}
	n := &g.services[ref]
	if seconds(n.StartTime) > start {
		n.StartTime = epoch(start)
	}
	if seconds(n.EndTime) < end {
		n.EndTime = epoch(end)
	}
	return n
}

func (g *graph) edge(from, to int, start, end float64) {
	n := &g.services[from]
	for _, e := range n.Edges {
		if e.ReferenceID == to {
			return
		}
	}
	n.Edges = append(n.Edges, GraphEdge{ReferenceID: to, StartTime: epoch(start), EndTime: epoch(end)})
}

func (g *graph) add(t *trace) {
	owner := map[string]int{}   // subsegment id -> the service whose segment holds it
	called := map[string]bool{} // subsegment ids some segment names as parent
	var all []*Segment
	ids := map[string]bool{}
	for i := range t.Segments {
		seg := &t.Segments[i]
		ids[seg.ID] = true
		if seg.ParentID != "" {
			called[seg.ParentID] = true
		}
	}
	for i := range t.Segments {
		seg := &t.Segments[i]
		n := g.node(serviceOf(seg), seg.StartTime, endOf(seg))
		n.Root = n.Root || seg.ParentID == "" || !ids[seg.ParentID] && !hasSub(t, seg.ParentID)
		count(&n.SummaryStatistics, seg)
		ref := n.ReferenceID
		owner[seg.ID] = ref
		var walk func(s *Segment)
		walk = func(s *Segment) {
			owner[s.ID] = ref
			all = append(all, s)
			forEach(s.Subsegments, walk)
		}
		forEach(seg.Subsegments, walk)
	}
	for i := range t.Segments {
		seg := &t.Segments[i]
		if from, ok := owner[seg.ParentID]; ok && seg.ParentID != "" {
			g.edge(from, g.refs[serviceKey{seg.Name, seg.Origin}], seg.StartTime, endOf(seg))
		}
	}
	for _, s := range all {
		if (s.Namespace == "aws" || s.Namespace == "remote") && !called[s.ID] {
			n := g.node(ServiceID{Name: s.Name, Type: downstreamType(s)}, s.StartTime, endOf(s))
			count(&n.SummaryStatistics, s)
			g.edge(owner[s.ID], n.ReferenceID, s.StartTime, endOf(s))
		}
	}
}

func hasSub(t *trace, id string) bool {
	found := false
	var walk func(s *Segment)
	walk = func(s *Segment) {
		found = found || s.ID == id
		forEach(s.Subsegments, walk)
	}
	forEach(t.Segments, func(s *Segment) { forEach(s.Subsegments, walk) })
	return found
}

func count(st *ServiceStatistics, s *Segment) {
	st.TotalCount++
	st.TotalResponseTime = round3(st.TotalResponseTime + endOf(s) - s.StartTime)
	switch {
	case s.Fault:
		st.FaultStatistics.TotalCount++
		st.FaultStatistics.OtherCount++
	case s.Throttle:
		st.ErrorStatistics.TotalCount++
		st.ErrorStatistics.ThrottleCount++
	case s.Error:
		st.ErrorStatistics.TotalCount++
		st.ErrorStatistics.OtherCount++
	default:
		st.OkCount++
	}
}

func endOf(s *Segment) float64 {
	if s.InProgress || s.EndTime == 0 {
		return s.StartTime
	}
	return s.EndTime
}

func epoch(sec float64) localcloud.Time {
	return localcloud.Time(time.UnixMicro(int64(math.Round(sec * 1e6))).UTC())
}
