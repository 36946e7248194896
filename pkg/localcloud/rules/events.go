package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Tables of the delivery queue.
const (
	tableQueue      = "events.queue"      // events accepted, not yet matched: by order
	tableDeliveries = "events.deliveries" // one event for one target: by order/rule/target
)

// maxPutEventsSize is PutEvents' limit on the entries' total size.
const maxPutEventsSize = 256 * 1024

// EventEntry is one entry of PutEvents, with EventBridge's wire names.
type EventEntry struct {
	Source       string
	DetailType   string
	Detail       string
	Resources    []string
	Time         *localcloud.Time
	EventBusName string
	TraceHeader  string
}

// EventResult is PutEvents' answer for one entry: EventId, or an
// ErrorCode and ErrorMessage.
type EventResult struct {
	EventId      string `json:",omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

// queued is an accepted event waiting to be matched against its bus's
// rules.
type queued struct {
	Region   string
	Bus      string
	Event    json.RawMessage
	Ingested time.Time
}

// envelope is an event as EventBridge gives it to rules and targets.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

var queueSeq atomic.Uint64

// queueKey orders the queue by arrival, also across restarts (it follows
// the clock).
func queueKey() string {
	n := uint64(time.Now().UnixNano())
	for {
		last := queueSeq.Load()
		if n <= last {
			n = last + 1
		}
		if queueSeq.CompareAndSwap(last, n) {
			return fmt.Sprintf("%020d", n)
		}
	}
}

func entryError(code, format string, args ...any) EventResult {
	return EventResult{ErrorCode: code, ErrorMessage: fmt.Sprintf(format, args...)}
}

// checkEntry validates one PutEvents entry as EventBridge does; the
// failures are per entry, not of the request.
func checkEntry(e *EventEntry) *EventResult {
	var r EventResult
	switch {
	case e.Source == "":
		r = entryError("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.")
	case strings.HasPrefix(e.Source, "aws."):
		r = entryError("NotAuthorizedForSourceException", "Not authorized for the source.")
	case e.DetailType == "":
		r = entryError("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.")
	case e.Detail == "":
		r = entryError("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.")
	default:
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(e.Detail), &m) != nil || m == nil {
			r = entryError("MalformedDetail", "Detail is malformed.")
			break
		}
		for _, res := range e.Resources {
			if !arnRE.MatchString(res) {
				r = entryError("InvalidArgument", "Parameter %s is not valid. Reason: Provided Arn is not in correct format.", res)
				break
			}
		}
		if r.ErrorCode == "" {
			return nil
		}
	}
	return &r
}

func entrySize(e *EventEntry) int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail) + 14 // the time
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// PutEvents accepts custom events onto their buses: each accepted entry
// is in the store, queued for delivery, before PutEvents returns. It
// answers, for each entry in order, its event id or why it failed.
func (s *Service) PutEvents(_ context.Context, region string, entries []EventEntry) ([]EventResult, error) {
	region = regionOr(region)
	if len(entries) == 0 {
		return nil, validation("1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(entries) > 10 {
		return nil, validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	size := 0
	for i := range entries {
		size += entrySize(&entries[i])
	}
	if size > maxPutEventsSize {
		return nil, validation("Total size of the entries in the request is over the limit.")
	}
	results := make([]EventResult, len(entries))
	err := s.store.Update(func(tx *localcloud.Tx) error {
		for i := range entries {
			e := &entries[i]
			if r := checkEntry(e); r != nil {
				results[i] = *r
				continue
			}
			bus, err := busName(e.EventBusName)
			if err != nil {
				results[i] = entryError("InvalidArgument", "Parameter EventBusName is not valid.")
				continue
			}
			if _, err := getBus(tx, region, bus); err != nil {
				results[i] = entryError("ResourceNotFoundException", "Event bus %s does not exist.", bus)
				continue
			}
			at := time.Now()
			if e.Time != nil {
				at = time.Time(*e.Time)
			}
			id := localcloud.NewID()
			resources := e.Resources
			if resources == nil {
				resources = []string{}
			}
			ev, err := marshal(envelope{Version: "0", ID: id, DetailType: e.DetailType, Source: e.Source,
				Account: localcloud.Account, Time: at.UTC().Format(time.RFC3339), Region: region,
				Resources: resources, Detail: json.RawMessage(e.Detail)})
			if err != nil {
				return err
			}
			if err := tx.Put(tableQueue, queueKey(), &queued{Region: region, Bus: bus, Event: ev, Ingested: time.Now().UTC()}); err != nil {
				return err
			}
			results[i] = EventResult{EventId: id}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.notify()
	return results, nil
}

// Emit puts an AWS service's event (complete JSON, such as S3's "Object
// Created") on region's default bus, durably queued when Emit returns.
func (s *Service) Emit(_ context.Context, region string, event []byte) error {
	if _, err := decodeEvent(event); err != nil {
		return fmt.Errorf("rules: emit: %w", err)
	}
	err := s.store.Update(func(tx *localcloud.Tx) error {
		return tx.Put(tableQueue, queueKey(), &queued{Region: regionOr(region), Bus: DefaultBus,
			Event: append(json.RawMessage(nil), event...), Ingested: time.Now().UTC()})
	})
	if err != nil {
		return fmt.Errorf("rules: emit: %w", err)
	}
	s.notify()
	return nil
}

// TestEventPattern reports whether event matches pattern, as the
// TestEventPattern operation does; the event must have EventBridge's
// envelope fields.
func (s *Service) TestEventPattern(_ context.Context, pattern, event string) (bool, error) {
	ev, err := decodeEvent([]byte(event))
	if err != nil {
		return false, err
	}
	for _, f := range []string{"id", "account", "source", "time", "region", "detail-type"} {
		if _, ok := ev[f].(string); !ok {
			return false, validation("Parameter Event is not valid. Reason: Provided Event is missing required field %s.", f)
		}
	}
	p, err := compilePattern(pattern)
	if err != nil {
		return false, err
	}
	if _, ok := ev["resources"].([]any); !ok {
		return false, validation("Parameter Event is not valid. Reason: Provided Event is missing required field resources.")
	}
	return p.match([]any{ev}), nil
}

func (s *Service) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
