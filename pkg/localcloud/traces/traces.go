package traces

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// segmentsTable holds every document as it was received, keyed by trace
// id, NUL, segment id: a trace is one prefix scan, and a document sent
// again with the same id (an in-progress segment, then its completed
// version) replaces the first.
const segmentsTable = "xray.segments"

// Service is AWS X-Ray over the local cloud's store: the API
// (PutTraceSegments, GetTraceSummaries, BatchGetTraces, GetTraceGraph,
// the sampling operations) and the daemon's UDP listener.
type Service struct {
	store  *localcloud.Store
	now    func() time.Time
	logger *log.Logger

	received, malformed atomic.Int64
}

// Option configures a Service.
type Option func(*Service)

// WithLogger logs the daemon's malformed datagrams to l (default: the
// standard logger).
func WithLogger(l *log.Logger) Option { return func(s *Service) { s.logger = l } }

// WithClock sets the service's clock (default time.Now), which answers
// the time GetTraceSummaries reports as ApproximateTime.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// New returns the service keeping its traces in store.
func New(store *localcloud.Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, logger: log.Default()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// PutSegment records one segment document; the local cloud's services
// call it for the segments they write themselves. Their names come from
// users (a state's name may hold any character), so characters X-Ray
// refuses in a name are replaced with "_" rather than the trace lost.
func (s *Service) PutSegment(ctx context.Context, seg Segment) error {
	sanitize(&seg)
	if u := check(seg, false); u != nil {
		return &localcloud.Error{Code: "InvalidRequestException", Status: http.StatusBadRequest, Message: u.Message}
	}
	raw, err := json.Marshal(seg)
	if err != nil {
		return fmt.Errorf("traces: encoding segment %s: %w", seg.ID, err)
	}
	return s.store.Update(func(tx *localcloud.Tx) error { return tx.Put(segmentsTable, seg.TraceID+"\x00"+seg.ID, raw) })
}

// PutSegments is PutSegment for several segments in one store commit, for
// a caller that gathers them (the local cloud's own services, as the
// daemon batches what SDKs send it). A segment X-Ray would refuse is
// skipped and reported in the error; the others are kept.
func (s *Service) PutSegments(ctx context.Context, segs []Segment) error {
	var errs []error
	raws := make(map[string][]byte, len(segs))
	for _, seg := range segs {
		sanitize(&seg)
		if u := check(seg, false); u != nil {
			errs = append(errs, fmt.Errorf("segment %s: %s", seg.ID, u.Message))
			continue
		}
		raw, err := json.Marshal(seg)
		if err != nil {
			errs = append(errs, fmt.Errorf("traces: encoding segment %s: %w", seg.ID, err))
			continue
		}
		raws[seg.TraceID+"\x00"+seg.ID] = raw
	}
	if len(raws) > 0 {
		err := s.store.Update(func(tx *localcloud.Tx) error {
			for k, raw := range raws {
				if err := tx.Put(segmentsTable, k, raw); err != nil {
					return err
				}
			}
			return nil
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// sanitize makes seg's and its subsegments' names ones X-Ray accepts.
func sanitize(seg *Segment) {
	if !namePattern.MatchString(seg.Name) {
		seg.Name = strings.Map(func(r rune) rune {
			if namePattern.MatchString(string(r)) {
				return r
			}
			return '_'
		}, seg.Name)
	}
	if utf8.RuneCountInString(seg.Name) > 200 {
		seg.Name = string([]rune(seg.Name)[:200])
	}
	for i := range seg.Subsegments {
		sanitize(&seg.Subsegments[i])
	}
}

// UnprocessedTraceSegment is a document PutTraceSegments refused, with
// X-Ray's ErrorCode ("MissingId", "InvalidTraceId", ...) and Message.
type UnprocessedTraceSegment struct {
	ID        string `json:"Id,omitempty"`
	ErrorCode string `json:"ErrorCode"`
	Message   string `json:"Message"`
}

// PutTraceSegments records documents (JSON strings) and answers the ones
// it refused, keeping the rest, as X-Ray does.
func (s *Service) PutTraceSegments(ctx context.Context, docs []string) ([]UnprocessedTraceSegment, error) {
	if len(docs) == 0 {
		return nil, invalidRequest("TraceSegmentDocuments must hold at least one document")
	}
	unprocessed := []UnprocessedTraceSegment{}
	type good struct {
		key string
		raw []byte
	}
	var keep []good
	for _, doc := range docs {
		seg, raw, u := parseDocument([]byte(doc))
		if u != nil {
			unprocessed = append(unprocessed, *u)
			continue
		}
		keep = append(keep, good{seg.TraceID + "\x00" + seg.ID, raw})
	}
	err := s.store.Update(func(tx *localcloud.Tx) error {
		for _, g := range keep {
			if err := tx.Put(segmentsTable, g.key, g.raw); err != nil {
				return err
			}
		}
		return nil
	})
	return unprocessed, err
}

// parseDocument decodes and checks one document, returning it compacted.
func parseDocument(doc []byte) (Segment, []byte, *UnprocessedTraceSegment) {
	var seg Segment
	var buf bytes.Buffer
	if err := json.Compact(&buf, doc); err != nil {
		return seg, nil, &UnprocessedTraceSegment{ErrorCode: "InvalidJson", Message: "Invalid segment. ErrorCode: InvalidJson, Cause: " + err.Error()}
	}
	if err := json.Unmarshal(buf.Bytes(), &seg); err != nil {
		return seg, nil, &UnprocessedTraceSegment{ErrorCode: "InvalidJson", Message: "Invalid segment. ErrorCode: InvalidJson, Cause: " + err.Error()}
	}
	if u := check(seg, false); u != nil {
		return seg, nil, u
	}
	return seg, buf.Bytes(), nil
}

var (
	traceIDPattern   = regexp.MustCompile(`^1-[0-9a-f]{8}-[0-9a-f]{24}$`)
	segmentIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)
	// namePattern is the characters X-Ray allows in a segment's name.
	namePattern = regexp.MustCompile(`^[\p{L}\p{N}\s_.:/%&#=+\\\-@]+$`)
)

// check applies X-Ray's rules for a document, with its error codes, to
// it and to the subsegments it holds (nested, which need no trace id).
func check(seg Segment, nested bool) *UnprocessedTraceSegment {
	kind := "segment"
	if nested || seg.Type == "subsegment" {
		kind = "subsegment"
	}
	bad := func(code string) *UnprocessedTraceSegment {
		return &UnprocessedTraceSegment{ID: seg.ID, ErrorCode: code, Message: fmt.Sprintf("Invalid %s. ErrorCode: %s", kind, code)}
	}
	switch {
	case seg.ID == "":
		return bad("MissingId")
	case !segmentIDPattern.MatchString(seg.ID):
		return bad("InvalidId")
	case !nested && seg.TraceID == "":
		return bad("MissingTraceId")
	case !nested && !traceIDPattern.MatchString(seg.TraceID):
		return bad("InvalidTraceId")
	case seg.Name == "":
		return bad("MissingName")
	case utf8.RuneCountInString(seg.Name) > 200 || !namePattern.MatchString(seg.Name):
		return bad("InvalidName")
	case !nested && seg.Type != "" && seg.Type != "subsegment":
		return bad("InvalidType")
	case !nested && seg.Type == "subsegment" && seg.ParentID == "":
		return bad("MissingParentId")
	case !nested && seg.ParentID != "" && !segmentIDPattern.MatchString(seg.ParentID):
		return bad("InvalidParentId")
	case seg.StartTime <= 0:
		return bad("MissingStartTime")
	case seg.EndTime == 0 && !seg.InProgress:
		return bad("MissingEndTime")
	case seg.EndTime != 0 && seg.EndTime < seg.StartTime:
		return bad("InvalidEndTime")
	}
	for _, sub := range seg.Subsegments {
		if u := check(sub, true); u != nil {
			u.ID = seg.ID // the document's id, which the caller knows
			return u
		}
	}
	return nil
}

// trace is one trace as read from the store: its documents, independent
// subsegments attached to their parents.
type trace struct {
	ID       string
	Segments []Segment         // top-level segments, by start time
	Docs     map[string][]byte // each top-level segment's document, subsegments attached
}

// loadTrace reads one trace; found is false when no document names it.
func loadTrace(tx *localcloud.Tx, id string) (*trace, bool, error) {
	var raws [][]byte
	err := tx.Scan(segmentsTable, id+"\x00", func(_ string, raw []byte) error {
		raws = append(raws, append([]byte(nil), raw...))
		return nil
	})
	if err != nil || len(raws) == 0 {
		return nil, false, err
	}
	t, err := assemble(id, raws)
	return t, err == nil, err
}

// traceIDs lists every trace id in the store.
func traceIDs(tx *localcloud.Tx) ([]string, error) {
	var ids []string
	err := tx.Scan(segmentsTable, "", func(key string, _ []byte) error {
		id, _, _ := strings.Cut(key, "\x00")
		if len(ids) == 0 || ids[len(ids)-1] != id {
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

// assemble joins a trace's documents. The documents stay generic maps
// while subsegments are attached, so that fields this package does not
// model (sql, precursor_ids, service) reach BatchGetTraces unchanged.
func assemble(id string, raws [][]byte) (*trace, error) {
	type doc struct {
		seg Segment
		m   map[string]any
	}
	var tops, subs []doc
	for _, raw := range raws {
		var d doc
		if err := json.Unmarshal(raw, &d.seg); err != nil {
			return nil, fmt.Errorf("traces: stored document of %s: %w", id, err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&d.m); err != nil {
			return nil, fmt.Errorf("traces: stored document of %s: %w", id, err)
		}
		dedupe(d.m)
		if d.seg.Type == "subsegment" {
			subs = append(subs, d)
		} else {
			tops = append(tops, d)
		}
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].seg.StartTime < subs[j].seg.StartTime })
	for _, sub := range subs {
		attached := false
		for i := range tops {
			if attach(tops[i].m, sub.m, sub.seg.ParentID) {
				attached = true
				break
			}
		}
		if !attached {
			// Its parent has not arrived (or never will): shown on its own
			// rather than lost.
			tops = append(tops, sub)
		}
	}
	t := &trace{ID: id, Docs: map[string][]byte{}}
	for _, d := range tops {
		raw, err := json.Marshal(d.m)
		if err != nil {
			return nil, err
		}
		var seg Segment
		if err := json.Unmarshal(raw, &seg); err != nil {
			return nil, err
		}
		t.Segments = append(t.Segments, seg)
		t.Docs[seg.ID] = raw
	}
	sort.SliceStable(t.Segments, func(i, j int) bool { return t.Segments[i].StartTime < t.Segments[j].StartTime })
	return t, nil
}

// dedupe keeps one subsegment per id in each list of tree, the last: an
// id names one subsegment, and aws-xray-sdk-go can list a subsegment it
// streamed twice in the parent it sends afterwards.
func dedupe(tree map[string]any) {
	children, _ := tree["subsegments"].([]any)
	if len(children) == 0 {
		return
	}
	at := map[any]int{}
	kept := children[:0]
	for _, c := range children {
		cm, ok := c.(map[string]any)
		if ok {
			dedupe(cm)
			if i, seen := at[cm["id"]]; seen && cm["id"] != nil {
				kept[i] = c
				continue
			}
			at[cm["id"]] = len(kept)
		}
		kept = append(kept, c)
	}
	tree["subsegments"] = kept
}

// attach puts sub into the (sub)segment of tree whose id is parent,
// replacing an earlier copy of it; it reports whether parent was found.
func attach(tree, sub map[string]any, parent string) bool {
	if tree["id"] == parent {
		delete(sub, "type")
		delete(sub, "trace_id")
		delete(sub, "parent_id")
		children, _ := tree["subsegments"].([]any)
		for i, c := range children {
			if cm, ok := c.(map[string]any); ok && cm["id"] == sub["id"] {
				children[i] = sub
				return true
			}
		}
		tree["subsegments"] = append(children, any(sub))
		return true
	}
	children, _ := tree["subsegments"].([]any)
	for _, c := range children {
		if cm, ok := c.(map[string]any); ok && attach(cm, sub, parent) {
			return true
		}
	}
	return false
}

func invalidRequest(format string, args ...any) error {
	return &localcloud.Error{Code: "InvalidRequestException", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}
