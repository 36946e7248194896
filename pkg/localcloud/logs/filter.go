package logs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// FilterInput is FilterLogEvents' input.
type FilterInput struct {
	LogGroupName        string   `json:"logGroupName,omitempty"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier,omitempty"`
	LogStreamNames      []string `json:"logStreamNames,omitempty"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix,omitempty"`
	StartTime           *int64   `json:"startTime,omitempty"`
	EndTime             *int64   `json:"endTime,omitempty"`
	FilterPattern       string   `json:"filterPattern,omitempty"`
	NextToken           string   `json:"nextToken,omitempty"`
	Limit               int      `json:"limit,omitempty"`
}

// FilteredEvent is one event FilterLogEvents found. EventID is stable:
// the same event has the same id in every call, so a poller can drop
// what it has seen.
type FilteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// FilteredPage is one page of FilterLogEvents.
type FilteredPage struct {
	Events    []FilteredEvent `json:"events"`
	NextToken string          `json:"nextToken,omitempty"`
}

// FilterEvents searches a log group's streams for the events in
// [startTime, endTime] that match the filter pattern, interleaved by time
// (then stream name) across streams, limit (1-10000, 0 meaning 10000) at
// a time.
func (s *Service) FilterEvents(_ context.Context, region string, in FilterInput) (FilteredPage, error) {
	group, err := identifier(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return FilteredPage{}, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return FilteredPage{}, invalid("Cannot specify both logStreamNames and logStreamNamePrefix.")
	}
	if len(in.LogStreamNames) > 100 {
		return FilteredPage{}, invalid(constraint(fmt.Sprint(in.LogStreamNames), "logStreamNames", "Member must have length less than or equal to 100"))
	}
	for _, n := range in.LogStreamNames {
		if err := checkStreamName("logStreamNames", n); err != nil {
			return FilteredPage{}, err
		}
	}
	if len(in.FilterPattern) > 1024 {
		return FilteredPage{}, invalid(constraint(in.FilterPattern, "filterPattern", "Member must have length less than or equal to 1024"))
	}
	pattern, err := ParsePattern(in.FilterPattern)
	if err != nil {
		return FilteredPage{}, invalid(errPattern.Error())
	}
	limit, err := checkLimit(in.Limit, 10000)
	if err != nil {
		return FilteredPage{}, err
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || !strings.HasPrefix(string(b), "after/") {
			return FilteredPage{}, invalid("The specified nextToken is invalid.")
		}
		after = strings.TrimPrefix(string(b), "after/")
	}
	region = regionOf(region)
	type found struct {
		order string // timestamp, stream, sequence: the interleaved order
		ev    FilteredEvent
	}
	var all []found
	err = s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getGroup(tx, region, group); err != nil {
			return err
		}
		prefix := key(region, group, "")
		return tx.Scan(eventsTable, prefix, func(k string, raw []byte) error {
			stream, ek, ok := strings.Cut(strings.TrimPrefix(k, prefix), "\x00")
			if !ok || len(ek) != 40 {
				return nil
			}
			if len(in.LogStreamNames) > 0 && !slices.Contains(in.LogStreamNames, stream) || !strings.HasPrefix(stream, in.LogStreamNamePrefix) {
				return nil
			}
			ts, _ := strconv.ParseInt(ek[:20], 10, 64)
			if (in.StartTime != nil && ts < *in.StartTime) || (in.EndTime != nil && ts > *in.EndTime) {
				return nil
			}
			order := ek[:20] + "\x00" + stream + "\x00" + ek[20:]
			if after != "" && order <= after {
				return nil
			}
			var e Event
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			if !pattern.Match(e.Message) {
				return nil
			}
			all = append(all, found{order, FilteredEvent{LogStreamName: stream, Timestamp: e.Timestamp, Message: e.Message,
				IngestionTime: e.IngestionTime, EventID: eventID(stream, ek)}})
			return nil
		})
	})
	if err != nil {
		return FilteredPage{}, err
	}
	slices.SortFunc(all, func(a, b found) int { return strings.Compare(a.order, b.order) })
	page := FilteredPage{Events: make([]FilteredEvent, 0, min(limit, len(all)))}
	for _, f := range all[:min(limit, len(all))] {
		page.Events = append(page.Events, f.ev)
	}
	if len(all) > limit {
		page.NextToken = base64.RawURLEncoding.EncodeToString([]byte("after/" + all[limit-1].order))
	}
	return page, nil
}

// eventID is the 56-digit id of the event stored under ek in stream: its
// timestamp and sequence, and a hash of the stream that tells apart
// events of different streams with the same sequence.
func eventID(stream, ek string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(stream))
	return ek + fmt.Sprintf("%016d", h.Sum64()%1e16)
}
