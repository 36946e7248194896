package states

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states/jsonpath"
)

// The distributed Map (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED):
// each item, or batch of items, runs as a child execution with a history
// of its own and no access to the parent's variables; the parent's history
// records the Map Run (MapRunStarted, MapRunSucceeded or MapRunFailed). Items
// come from the state's input or from S3 (ItemReader), results go into the
// state's result or to S3 (ResultWriter), and failures up to
// ToleratedFailureCount / ToleratedFailurePercentage do not fail the state.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html

// ObjectStore is the S3 a distributed Map reads its items from (ItemReader)
// and writes its results to (ResultWriter).
type ObjectStore interface {
	GetObject(ctx context.Context, bucket, key string) ([]byte, error)
	// ListObjects lists the objects under prefix, in key order.
	ListObjects(ctx context.Context, bucket, prefix string) ([]ObjectInfo, error)
	PutObject(ctx context.Context, bucket, key string, body []byte) error
}

// ObjectInfo is one object ListObjects returns.
type ObjectInfo struct {
	Key, ETag, StorageClass string
	Size                    int64
	LastModified            time.Time
}

// WithObjectStore sets the S3 of ItemReader and ResultWriter; a machine
// that reads or writes S3 without one is refused by New.
func WithObjectStore(s ObjectStore) Option { return func(c *config) { c.store = s } }

// Error names of a distributed Map.
const (
	errItemReaderFailed   = "States.ItemReaderFailed"
	errResultWriterFailed = "States.ResultWriterFailed"
)

// checkDistributed refuses what a distributed Map cannot run here.
func (m *Machine) checkDistributed(s *asl.Map) error {
	unsupported := func(field, reason string) error {
		return &UnsupportedError{State: s.Name, Field: field, Reason: reason}
	}
	if rd := s.ItemReader; rd != nil {
		switch rd.Resource {
		case "arn:aws:states:::s3:getObject", "arn:aws:states:::s3:listObjectsV2":
		default:
			return unsupported("ItemReader.Resource", fmt.Sprintf("%q is not an item reader this executor runs (s3:getObject, s3:listObjectsV2)", rd.Resource))
		}
		if rc := rd.ReaderConfig; rc != nil {
			switch rc.InputType {
			case "", "JSON", "JSONL", "CSV", "MANIFEST":
			default:
				return unsupported("ItemReader.ReaderConfig.InputType", fmt.Sprintf("%s is not supported (JSON, JSONL, CSV, MANIFEST are)", rc.InputType))
			}
			if rc.ManifestType != "" && rc.ManifestType != "S3_INVENTORY" {
				return unsupported("ItemReader.ReaderConfig.ManifestType", rc.ManifestType+" is not supported (S3_INVENTORY is)")
			}
		}
		if m.cfg.store == nil {
			return unsupported("ItemReader", "reading items from S3 needs an ObjectStore (WithObjectStore)")
		}
	}
	if w := s.ResultWriter; w != nil && w.Resource != "" {
		if w.Resource != "arn:aws:states:::s3:putObject" {
			return unsupported("ResultWriter.Resource", fmt.Sprintf("%q is not a result writer (s3:putObject is)", w.Resource))
		}
		if m.cfg.store == nil {
			return unsupported("ResultWriter", "writing results to S3 needs an ObjectStore (WithObjectStore)")
		}
	}
	return nil
}

// mapEval evaluates a Map's fields in its query language: JSONPath paths
// and templates over the effective input, or JSONata expressions.
type mapEval struct {
	env jsonpath.Env // JSONPath, Input the effective input
	j   *jstate      // JSONata; nil for JSONPath
}

// template evaluates Parameters (JSONPath) or Arguments (JSONata).
func (e mapEval) template(params asl.Object, args any, field string) (any, error) {
	if e.j != nil {
		if args == nil {
			return map[string]any{}, nil
		}
		return e.j.eval(args, field)
	}
	if params == nil {
		return map[string]any{}, nil
	}
	return applyTemplate(params, e.env.Input, e.env)
}

// number reads a field given as a literal, a JSONata expression or a
// JSONPath path; ok is false when it is not set.
func (e mapEval) number(lit *float64, expr string, path asl.Path, field string) (float64, bool, error) {
	var v any
	switch {
	case lit != nil:
		return *lit, true, nil
	case expr != "" && e.j != nil:
		var err error
		if v, err = e.j.eval(expr, field); err != nil {
			return 0, false, err
		}
	case path != "" && e.j == nil:
		var err error
		if v, err = e.env.Resolve(string(path)); err != nil {
			return 0, false, err
		}
	default:
		return 0, false, nil
	}
	num, ok := v.(json.Number)
	f, err := num.Float64()
	if !ok || err != nil || f < 0 {
		return 0, false, runtimeErr("%s must be a non-negative number, not %s", field, mustEncode(v))
	}
	return f, true, nil
}

func (e mapEval) integer(lit *int, expr string, path asl.Path, field string) (int, bool, error) {
	var f *float64
	if lit != nil {
		x := float64(*lit)
		f = &x
	}
	n, ok, err := e.number(f, expr, path, field)
	if err != nil || !ok {
		return 0, ok, err
	}
	if n != math.Trunc(n) {
		return 0, false, runtimeErr("%s must be a whole number, not %v", field, n)
	}
	return int(n), true, nil
}

// selectItem evaluates ItemSelector for the item at index.
func (e mapEval) selectItem(r *run, s *asl.Map, entered time.Time, retries, index int, item any) (any, error) {
	if s.ItemSelector == nil && s.Parameters == nil {
		return item, nil
	}
	mc := r.context(s.Name, entered, retries, map[string]any{"Index": json.Number(strconv.Itoa(index)), "Value": item})
	if e.j != nil {
		return e.j.with("context", mc).eval(s.ItemSelector, "ItemSelector")
	}
	sel := s.ItemSelector
	if sel == nil {
		sel = s.Parameters
	}
	env := e.env
	env.Context = mc
	return applyTemplate(sel, e.env.Input, env)
}

// childResult is one child execution's end.
type childResult struct {
	ex    *Execution
	input any
}

// distributedRun runs one attempt of a distributed Map: items (nil when
// ItemReader reads them) through ItemSelector and ItemBatcher into child
// executions; its result is what ResultWriter makes of theirs.
func (r *run) distributedRun(ctx context.Context, s *asl.Map, th *thread, e mapEval, items []any, entered time.Time, retries int) (any, error) {
	if s.ItemReader != nil {
		var err error
		if items, err = r.readItems(ctx, s.ItemReader, e); err != nil {
			return nil, err
		}
	}
	selected := make([]any, len(items))
	for i, it := range items {
		v, err := e.selectItem(r, s, entered, retries, i, it)
		if err != nil {
			return nil, err
		}
		selected[i] = v
	}
	inputs, err := batches(s.ItemBatcher, selected, e)
	if err != nil {
		return nil, err
	}
	limit, _, err := e.integer(s.MaxConcurrency, s.MaxConcurrencyExpr, s.MaxConcurrencyPath, "MaxConcurrency")
	if err != nil {
		return nil, err
	}
	tolCount, hasCount, err := e.integer(s.ToleratedFailureCount, s.ToleratedFailureCountExpr, s.ToleratedFailureCountPath, "ToleratedFailureCount")
	if err != nil {
		return nil, err
	}
	tolPct, hasPct, err := e.number(s.ToleratedFailurePercentage, s.ToleratedFailurePercentageExpr, s.ToleratedFailurePercentagePath, "ToleratedFailurePercentage")
	if err != nil {
		return nil, err
	}
	label := s.Label
	if label == "" {
		label = s.Name
	}
	runID := newUUID()
	mapRunARN := fmt.Sprintf("arn:aws:states:%s:%s:mapRun:%s/%s:%s", r.m.cfg.region, r.m.cfg.account, r.m.cfg.name, label, runID)
	th.emit(types.HistoryEventTypeMapRunStarted, func(ev *types.HistoryEvent) {
		ev.MapRunStartedEventDetails = &types.MapRunStartedEventDetails{MapRunArn: r.h.str(mapRunARN)}
	})

	exceeded := func(failed int) bool {
		if !hasCount && !hasPct {
			return failed > 0
		}
		over := false
		if hasCount && failed > tolCount {
			over = true
		}
		if hasPct && len(inputs) > 0 && float64(failed)*100/float64(len(inputs)) > tolPct {
			over = true
		}
		return over
	}
	results := make([]childResult, len(inputs))
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if limit <= 0 || limit > len(inputs) {
		limit = len(inputs)
	}
	sem := make(chan struct{}, max(limit, 1))
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed int
	)
	prog := r.m.maps[s]
	for i := range inputs {
		select {
		case sem <- struct{}{}:
		case <-cctx.Done():
		}
		if cctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			name := newUUID()
			arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s/%s:%s", r.m.cfg.region, r.m.cfg.account, r.m.cfg.name, label, name)
			ex := r.child(cctx, prog, inputs[i], arn, name)
			results[i] = childResult{ex: ex, input: inputs[i]}
			if ex.Status != StatusSucceeded {
				mu.Lock()
				failed++
				over := exceeded(failed)
				mu.Unlock()
				if over {
					cancel()
				}
			}
		}(i)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		th.emit(types.HistoryEventTypeMapRunAborted, nil)
		return nil, err
	}
	if exceeded(failed) {
		e := &Error{Name: errExceedToleratedFailed, Cause: "The specified tolerated failure threshold was exceeded"}
		th.emit(types.HistoryEventTypeMapRunFailed, func(ev *types.HistoryEvent) {
			ev.MapRunFailedEventDetails = &types.MapRunFailedEventDetails{Error: r.h.str(e.Name), Cause: r.h.str(e.Cause)}
		})
		return nil, e
	}
	out, err := r.writeResults(ctx, s.ResultWriter, e, mapRunARN, runID, results)
	if err != nil {
		th.emit(types.HistoryEventTypeMapRunFailed, func(ev *types.HistoryEvent) {
			se := asStatesError(err)
			ev.MapRunFailedEventDetails = &types.MapRunFailedEventDetails{Error: r.h.str(se.Name), Cause: r.h.str(se.Cause)}
		})
		return nil, err
	}
	th.emit(types.HistoryEventTypeMapRunSucceeded, nil)
	return out, nil
}

// child runs one child execution of a distributed Map: a history of its
// own, no variables, the parent's deadline.
func (r *run) child(ctx context.Context, prog *program, input any, arn, name string) *Execution {
	clock := r.m.cfg.clock
	start := clock.Now()
	c := &run{
		m: r.m, h: newHistory(clock, 16, 16), smCtx: r.smCtx, deadline: r.deadline, timeoutSecs: r.timeoutSecs,
		execCtx: map[string]any{
			"Id": arn, "Input": input, "Name": name, "RoleArn": r.m.cfg.roleArn,
			"StartTime": timestamp(start), "RedriveCount": json.Number("0"),
		},
	}
	ex := &Execution{ARN: arn, Name: name, StartDate: start}
	main := &thread{h: c.h}
	inStr, err := main.encode(input, "the child execution's input")
	if err == nil {
		c.started(main, inStr)
		var out any
		out, err = c.runProgram(ctx, prog, input, main, &scope{})
		c.end(ctx, main, out, err, ex)
	} else {
		se := asStatesError(err)
		ex.Status, ex.Error, ex.Cause = StatusFailed, se.Name, se.Cause
	}
	ex.StopDate = clock.Now()
	ex.History = c.h.done()
	r.childMu.Lock()
	r.children = append(r.children, ex)
	r.childMu.Unlock()
	return ex
}

// readItems reads a distributed Map's items with its ItemReader.
func (r *run) readItems(ctx context.Context, rd *asl.ItemReader, e mapEval) ([]any, error) {
	args, err := e.template(rd.Parameters, rd.Arguments, "ItemReader/Arguments")
	if err != nil {
		return nil, err
	}
	p, _ := args.(map[string]any)
	bucket, _ := p["Bucket"].(string)
	if bucket == "" {
		return nil, &Error{Name: errItemReaderFailed, Cause: "the ItemReader's parameters name no Bucket"}
	}
	rc := rd.ReaderConfig
	if rc == nil {
		rc = &asl.ReaderConfig{}
	}
	var items []any
	store := r.m.cfg.store
	if rd.Resource == "arn:aws:states:::s3:listObjectsV2" {
		prefix, _ := p["Prefix"].(string)
		objs, err := store.ListObjects(ctx, bucket, prefix)
		if err != nil {
			return nil, &Error{Name: errItemReaderFailed, Cause: err.Error()}
		}
		for _, o := range objs {
			items = append(items, map[string]any{
				"Etag": o.ETag, "Key": o.Key, "LastModified": json.Number(strconv.FormatInt(o.LastModified.Unix(), 10)),
				"Size": json.Number(strconv.FormatInt(o.Size, 10)), "StorageClass": o.StorageClass,
			})
		}
	} else {
		key, _ := p["Key"].(string)
		body, err := store.GetObject(ctx, bucket, key)
		if err != nil {
			return nil, &Error{Name: errItemReaderFailed, Cause: err.Error()}
		}
		if items, err = parseItems(ctx, store, rc, bucket, key, body); err != nil {
			return nil, &Error{Name: errItemReaderFailed, Cause: err.Error()}
		}
	}
	maxItems, ok, err := e.integer(rc.MaxItems, rc.MaxItemsExpr, rc.MaxItemsPath, "MaxItems")
	if err != nil {
		return nil, err
	}
	if ok && maxItems > 0 && len(items) > maxItems {
		items = items[:maxItems]
	}
	return items, nil
}

// parseItems reads the items of one object as ReaderConfig says.
func parseItems(ctx context.Context, store ObjectStore, rc *asl.ReaderConfig, bucket, key string, body []byte) ([]any, error) {
	switch rc.InputType {
	case "", "JSON":
		v, err := decodeJSON(body)
		if err != nil {
			return nil, fmt.Errorf("s3://%s/%s is not JSON: %v", bucket, key, err)
		}
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("s3://%s/%s must hold a JSON array", bucket, key)
		}
		return items, nil
	case "JSONL":
		var items []any
		for n, line := range strings.Split(string(body), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			v, err := decodeJSON([]byte(line))
			if err != nil {
				return nil, fmt.Errorf("s3://%s/%s line %d is not JSON: %v", bucket, key, n+1, err)
			}
			items = append(items, v)
		}
		return items, nil
	case "CSV":
		return csvItems(rc, body, fmt.Sprintf("s3://%s/%s", bucket, key))
	case "MANIFEST":
		return manifestItems(ctx, store, body)
	}
	return nil, fmt.Errorf("InputType %s is not supported", rc.InputType)
}

var csvDelimiters = map[string]rune{"": ',', "COMMA": ',', "PIPE": '|', "SEMICOLON": ';', "SPACE": ' ', "TAB": '\t'}

// csvItems turns each row into an object keyed by the headers (the first
// row, or CSVHeaders when CSVHeaderLocation is GIVEN), every value a string.
func csvItems(rc *asl.ReaderConfig, body []byte, where string) ([]any, error) {
	cr := csv.NewReader(bytes.NewReader(body))
	delim, ok := csvDelimiters[rc.CSVDelimiter]
	if !ok {
		return nil, fmt.Errorf("CSVDelimiter %s is not one of COMMA, PIPE, SEMICOLON, SPACE, TAB", rc.CSVDelimiter)
	}
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s is not CSV: %v", where, err)
	}
	headers := rc.CSVHeaders
	if rc.CSVHeaderLocation != "GIVEN" {
		if len(rows) == 0 {
			return nil, fmt.Errorf("%s has no header row", where)
		}
		headers, rows = rows[0], rows[1:]
	}
	items := make([]any, 0, len(rows))
	for n, row := range rows {
		if len(row) > len(headers) {
			return nil, fmt.Errorf("%s row %d has %d fields, more than its %d headers", where, n+1, len(row), len(headers))
		}
		o := make(map[string]any, len(headers))
		for i, h := range headers {
			o[h] = ""
			if i < len(row) {
				o[h] = row[i]
			}
		}
		items = append(items, o)
	}
	return items, nil
}

// manifestItems reads an S3 Inventory manifest.json: its CSV files (gzip'd
// when their key ends in .gz) in its destination bucket, one item per
// object, keyed by the manifest's fileSchema.
func manifestItems(ctx context.Context, store ObjectStore, body []byte) ([]any, error) {
	var mf struct {
		DestinationBucket string `json:"destinationBucket"`
		FileFormat        string `json:"fileFormat"`
		FileSchema        string `json:"fileSchema"`
		Files             []struct {
			Key string `json:"key"`
		} `json:"files"`
	}
	if err := json.Unmarshal(body, &mf); err != nil {
		return nil, fmt.Errorf("the manifest is not an S3 Inventory manifest.json: %v", err)
	}
	if mf.FileFormat != "CSV" {
		return nil, fmt.Errorf("the manifest's fileFormat %q is not supported (CSV is)", mf.FileFormat)
	}
	bucket := strings.TrimPrefix(mf.DestinationBucket, "arn:aws:s3:::")
	var headers []string
	for _, h := range strings.Split(mf.FileSchema, ",") {
		headers = append(headers, strings.TrimSpace(h))
	}
	rc := &asl.ReaderConfig{CSVHeaderLocation: "GIVEN", CSVHeaders: headers}
	var items []any
	for _, f := range mf.Files {
		b, err := store.GetObject(ctx, bucket, f.Key)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(f.Key, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, fmt.Errorf("s3://%s/%s: %v", bucket, f.Key, err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				return nil, fmt.Errorf("s3://%s/%s: %v", bucket, f.Key, err)
			}
		}
		more, err := csvItems(rc, b, "s3://"+bucket+"/"+f.Key)
		if err != nil {
			return nil, err
		}
		items = append(items, more...)
	}
	return items, nil
}

// batches groups items as ItemBatcher says, each batch the child input
// {"BatchInput": ..., "Items": [...]}; without ItemBatcher each item is a
// child's input.
func batches(b *asl.ItemBatcher, items []any, e mapEval) ([]any, error) {
	if b == nil {
		return items, nil
	}
	maxItems, hasItems, err := e.integer(b.MaxItemsPerBatch, b.MaxItemsPerBatchExpr, b.MaxItemsPerBatchPath, "MaxItemsPerBatch")
	if err != nil {
		return nil, err
	}
	maxBytes, hasBytes, err := e.integer(b.MaxInputBytesPerBatch, b.MaxInputBytesPerBatchExpr, b.MaxInputBytesPerBatchPath, "MaxInputBytesPerBatch")
	if err != nil {
		return nil, err
	}
	var batchInput any
	if b.BatchInput != nil {
		if batchInput, err = e.template(b.BatchInput, map[string]any(b.BatchInput), "ItemBatcher/BatchInput"); err != nil {
			return nil, err
		}
	}
	var out []any
	var cur []any
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		in := map[string]any{"Items": cur}
		if batchInput != nil {
			in["BatchInput"] = batchInput
		}
		out = append(out, in)
		cur, size = nil, 0
	}
	for _, it := range items {
		n := len(mustEncode(it)) + 1
		if (hasItems && maxItems > 0 && len(cur) >= maxItems) || (hasBytes && maxBytes > 0 && len(cur) > 0 && size+n > maxBytes) {
			flush()
		}
		cur = append(cur, it)
		size += n
	}
	flush()
	return out, nil
}

// writeResults makes the Map's result from its children: their outputs in
// item order (a failed child's error output {"Error","Cause"}), or, with a
// ResultWriter, the files it writes to S3 and where they are.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
func (r *run) writeResults(ctx context.Context, w *asl.ResultWriter, e mapEval, mapRunARN, runID string, results []childResult) (any, error) {
	outputs := func() ([]any, error) {
		out := make([]any, 0, len(results))
		for _, c := range results {
			if c.ex == nil {
				continue
			}
			if c.ex.Status != StatusSucceeded {
				out = append(out, map[string]any{"Error": c.ex.Error, "Cause": c.ex.Cause})
				continue
			}
			v, err := decodeJSON(c.ex.Output)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	if w == nil {
		return outputs()
	}
	transform, outType := "NONE", "JSON"
	if wc := w.WriterConfig; wc != nil {
		if wc.Transformation != "" {
			transform = wc.Transformation
		}
		if wc.OutputType != "" {
			outType = wc.OutputType
		}
	}
	entries := func(status string) ([]any, error) {
		var out []any
		for _, c := range results {
			if c.ex == nil || (status == "SUCCEEDED") != (c.ex.Status == StatusSucceeded) {
				continue
			}
			switch transform {
			case "COMPACT", "FLATTEN":
				if c.ex.Status != StatusSucceeded {
					out = append(out, map[string]any{"Error": c.ex.Error, "Cause": c.ex.Cause})
					continue
				}
				v, err := decodeJSON(c.ex.Output)
				if err != nil {
					return nil, err
				}
				if arr, ok := v.([]any); ok && transform == "FLATTEN" {
					out = append(out, arr...)
				} else {
					out = append(out, v)
				}
				continue
			}
			ent := map[string]any{
				"ExecutionArn": c.ex.ARN, "Name": c.ex.Name, "Input": mustEncode(c.input),
				"InputDetails": map[string]any{"Included": true}, "StateMachineArn": r.m.ARN(),
				"Status": c.ex.Status, "StartDate": timestamp(c.ex.StartDate), "StopDate": timestamp(c.ex.StopDate),
				"RedriveCount": json.Number("0"), "RedriveStatus": "NOT_REDRIVABLE",
			}
			if c.ex.Status == StatusSucceeded {
				ent["Output"] = string(c.ex.Output)
				ent["OutputDetails"] = map[string]any{"Included": true}
				ent["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
			} else {
				ent["Error"], ent["Cause"] = c.ex.Error, c.ex.Cause
			}
			out = append(out, ent)
		}
		return out, nil
	}
	if w.Resource == "" {
		// A WriterConfig alone reshapes the result in place.
		all, err := outputs()
		if err != nil || transform != "FLATTEN" {
			return all, err
		}
		var flat []any
		for _, v := range all {
			if arr, ok := v.([]any); ok {
				flat = append(flat, arr...)
			} else {
				flat = append(flat, v)
			}
		}
		return flat, nil
	}
	args, err := e.template(w.Parameters, w.Arguments, "ResultWriter/Arguments")
	if err != nil {
		return nil, err
	}
	p, _ := args.(map[string]any)
	bucket, _ := p["Bucket"].(string)
	prefix, _ := p["Prefix"].(string)
	if bucket == "" {
		return nil, &Error{Name: errResultWriterFailed, Cause: "the ResultWriter's parameters name no Bucket"}
	}
	base := runID + "/"
	if prefix != "" {
		base = strings.TrimSuffix(prefix, "/") + "/" + base
	}
	ext := ".json"
	if outType == "JSONL" {
		ext = ".jsonl"
	}
	files := map[string]any{"SUCCEEDED": []any{}, "FAILED": []any{}, "PENDING": []any{}}
	for _, status := range []string{"SUCCEEDED", "FAILED"} {
		ents, err := entries(status)
		if err != nil {
			return nil, err
		}
		if len(ents) == 0 {
			continue
		}
		var body string
		if outType == "JSONL" {
			var b strings.Builder
			for _, v := range ents {
				b.WriteString(mustEncode(v))
				b.WriteByte('\n')
			}
			body = b.String()
		} else {
			body = mustEncode(ents)
		}
		key := base + status + "_0" + ext
		if err := r.m.cfg.store.PutObject(ctx, bucket, key, []byte(body)); err != nil {
			return nil, &Error{Name: errResultWriterFailed, Cause: err.Error()}
		}
		files[status] = []any{map[string]any{"Key": key, "Size": json.Number(strconv.Itoa(len(body)))}}
	}
	manifestKey := base + "manifest.json"
	manifest := map[string]any{"DestinationBucket": bucket, "MapRunArn": mapRunARN, "ResultFiles": files}
	if err := r.m.cfg.store.PutObject(ctx, bucket, manifestKey, []byte(mustEncode(manifest))); err != nil {
		return nil, &Error{Name: errResultWriterFailed, Cause: err.Error()}
	}
	return map[string]any{"MapRunArn": mapRunARN, "ResultWriterDetails": map[string]any{"Bucket": bucket, "Key": manifestKey}}, nil
}

// started records an execution's first event.
func (r *run) started(main *thread, inStr string) {
	main.emit(types.HistoryEventTypeExecutionStarted, func(ev *types.HistoryEvent) {
		ev.ExecutionStartedEventDetails = &types.ExecutionStartedEventDetails{
			Input: r.h.str(inStr), InputDetails: dataDetails(), RoleArn: r.h.str(r.m.cfg.roleArn),
		}
	})
	// The first state's events start a chain of their own: on AWS the
	// first StateEntered event has previousEventId 0.
	main.prev = 0
}
