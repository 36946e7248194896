package machines

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// HistoryPage is one page of GetExecutionHistory: events in wire form.
type HistoryPage struct {
	Events    []any  `json:"events"`
	NextToken string `json:"nextToken,omitempty"`
}

// GetExecutionHistory returns a Standard execution's events, oldest first
// (newest first when reverse), maxResults (1-1000, 0 meaning 100) at a
// time from nextToken; without includeData the events carry no input or
// output.
func (s *Service) GetExecutionHistory(ctx context.Context, arn string, maxResults int, nextToken string, reverse bool, includeData *bool) (HistoryPage, error) {
	if maxResults < 0 || maxResults > 1000 {
		return HistoryPage{}, validation(fmt.Sprintf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 1000", maxResults))
	}
	if maxResults == 0 {
		maxResults = 100
	}
	if _, err := s.DescribeExecution(ctx, arn); err != nil {
		return HistoryPage{}, err
	}
	events, err := s.history(arn)
	if err != nil {
		return HistoryPage{}, err
	}
	if reverse {
		slices.Reverse(events)
	}
	start := 0
	if nextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(nextToken)
		prefix, pos, ok := strings.Cut(string(b), "#")
		n, perr := strconv.Atoi(pos)
		if err != nil || !ok || perr != nil || prefix != arn || n < 0 || n > len(events) {
			return HistoryPage{}, &localcloud.Error{Code: "InvalidToken", Message: "Invalid Token: '" + nextToken + "'"}
		}
		start = n
	}
	page := HistoryPage{Events: []any{}}
	end := min(start+maxResults, len(events))
	for _, ev := range events[start:end] {
		w := wire(reflect.ValueOf(ev)).(map[string]any)
		if includeData != nil && !*includeData {
			for k, d := range w {
				if dm, ok := d.(map[string]any); ok && strings.HasSuffix(k, "EventDetails") {
					for _, f := range []string{"input", "output", "parameters", "result"} {
						delete(dm, f)
					}
				}
			}
		}
		page.Events = append(page.Events, w)
	}
	if end < len(events) {
		page.NextToken = base64.RawURLEncoding.EncodeToString([]byte(arn + "#" + strconv.Itoa(end)))
	}
	return page, nil
}

// wire is an SDK value in the JSON 1.0 wire form: members named as the
// service model names them (the Go field names with a lower-case first
// letter, true of every HistoryEvent member), unset ones left out,
// timestamps as epoch seconds.
func wire(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return wire(v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return float64(t.UnixMilli()) / 1000
		}
		m := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.IsNil() {
				continue
			}
			if fv.Kind() == reflect.String && fv.Len() == 0 {
				continue
			}
			m[strings.ToLower(f.Name[:1])+f.Name[1:]] = wire(fv)
		}
		return m
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = wire(v.Index(i))
		}
		return out
	}
	return v.Interface()
}
