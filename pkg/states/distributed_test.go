package states_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

// memStore is an in-memory S3 for ItemReader and ResultWriter.
type memStore struct {
	mu      sync.Mutex
	objects map[string][]byte // bucket/key
}

func newMemStore(objs map[string]string) *memStore {
	s := &memStore{objects: map[string][]byte{}}
	for k, v := range objs {
		s.objects[k] = []byte(v)
	}
	return s
}

func (s *memStore) GetObject(_ context.Context, bucket, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objects[bucket+"/"+key]
	if !ok {
		return nil, fmt.Errorf("NoSuchKey: s3://%s/%s", bucket, key)
	}
	return b, nil
}

func (s *memStore) ListObjects(_ context.Context, bucket, prefix string) ([]states.ObjectInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []states.ObjectInfo
	for k, b := range s.objects {
		if key, ok := strings.CutPrefix(k, bucket+"/"); ok && strings.HasPrefix(key, prefix) {
			out = append(out, states.ObjectInfo{Key: key, Size: int64(len(b)), ETag: `"e"`, StorageClass: "STANDARD", LastModified: epoch})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (s *memStore) PutObject(_ context.Context, bucket, key string, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[bucket+"/"+key] = body
	return nil
}

func distributedMap(fields, processor string) string {
	if processor == "" {
		processor = `{"StartAt":"Work","States":{"Work":{"Type":"Pass","End":true}}}`
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(processor), &p); err != nil {
		panic(err)
	}
	p["ProcessorConfig"] = map[string]any{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
	pb, _ := json.Marshal(p)
	return `{"StartAt":"Fan","States":{"Fan":{"Type":"Map",` + fields + `"ItemProcessor":` + string(pb) + `,"End":true}}}`
}

func runDistributed(t *testing.T, def string, store states.ObjectStore, input string) *states.Execution {
	t.Helper()
	sm, err := asl.Parse([]byte(def))
	require.NoError(t, err)
	opts := []states.Option{states.WithClock(states.NewVirtualClock(epoch))}
	if store != nil {
		opts = append(opts, states.WithObjectStore(store))
	}
	m, err := states.New(sm, opts...)
	require.NoError(t, err)
	ex, err := m.Run(context.Background(), []byte(input))
	require.NoError(t, err)
	return ex
}

func TestDistributedMapRunsChildExecutions(t *testing.T) {
	ex := runDistributed(t, distributedMap(`"ItemsPath":"$.items","ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},`, ""), nil, `{"items":["a","b","c"]}`)
	require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
	assert.JSONEq(t, `[{"v":"a","i":0},{"v":"b","i":1},{"v":"c","i":2}]`, string(ex.Output))
	assert.Equal(t, []types.HistoryEventType{
		types.HistoryEventTypeExecutionStarted, types.HistoryEventTypeMapStateEntered, types.HistoryEventTypeMapRunStarted,
		types.HistoryEventTypeMapRunSucceeded, types.HistoryEventTypeMapStateExited, types.HistoryEventTypeExecutionSucceeded,
	}, eventTypes(ex), "the iterations are child executions, not events of the parent")
	require.Len(t, ex.Children, 3)
	for _, c := range ex.Children {
		assert.Equal(t, states.StatusSucceeded, c.Status)
		assert.Contains(t, c.ARN, ":execution:StateMachine/Fan:")
		assert.Equal(t, types.HistoryEventTypeExecutionStarted, c.History[0].Type)
	}
	assert.Contains(t, *ex.History[2].MapRunStartedEventDetails.MapRunArn, ":mapRun:StateMachine/Fan:")
}

func TestDistributedMapChildrenSeeNoVariables(t *testing.T) {
	// "Distributed Map iterations see none" of the parent's variables: a
	// reference fails the child, and so the Map.
	def := `{"StartAt":"Set","States":{"Set":{"Type":"Pass","Assign":{"x":1},"Next":"Fan"},"Fan":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Use","States":{"Use":{"Type":"Pass","Parameters":{"x.$":"$x"},"End":true}}},"End":true}}}`
	ex := runDistributed(t, def, nil, `{"items":[1]}`)
	require.Equal(t, states.StatusFailed, ex.Status)
	assert.Equal(t, "States.ExceedToleratedFailureThreshold", ex.Error)
	require.Len(t, ex.Children, 1)
	assert.Equal(t, "States.Runtime", ex.Children[0].Error)
}

func TestDistributedMapToleratedFailures(t *testing.T) {
	processor := `{"StartAt":"Check","States":{"Check":{"Type":"Choice","Choices":[{"Variable":"$.ok","BooleanEquals":true,"Next":"Good"}],"Default":"Bad"},"Good":{"Type":"Succeed"},"Bad":{"Type":"Fail","Error":"Item.Bad","Cause":"bad item"}}}`
	input := `{"items":[{"ok":true},{"ok":false},{"ok":true},{"ok":false}]}`
	for _, c := range []struct {
		name, fields, status, err string
	}{
		{"no tolerance: one failure fails the map", ``, states.StatusFailed, "States.ExceedToleratedFailureThreshold"},
		{"count 2 tolerates two", `"ToleratedFailureCount":2,`, states.StatusSucceeded, ""},
		{"count 1 does not", `"ToleratedFailureCount":1,`, states.StatusFailed, "States.ExceedToleratedFailureThreshold"},
		{"50 percent tolerates half", `"ToleratedFailurePercentage":50,`, states.StatusSucceeded, ""},
		{"49 percent does not", `"ToleratedFailurePercentage":49,`, states.StatusFailed, "States.ExceedToleratedFailureThreshold"},
		{"from a path", `"ToleratedFailureCountPath":"$.tolerate",`, states.StatusSucceeded, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := input
			if strings.Contains(c.fields, "Path") {
				in = strings.Replace(input, `{"items"`, `{"tolerate":3,"items"`, 1)
			}
			ex := runDistributed(t, distributedMap(`"ItemsPath":"$.items",`+c.fields, processor), nil, in)
			require.Equal(t, c.status, ex.Status, "%s: %s", ex.Error, ex.Cause)
			assert.Equal(t, c.err, ex.Error)
			if c.status == states.StatusSucceeded {
				assert.JSONEq(t, `[{"ok":true},{"Error":"Item.Bad","Cause":"bad item"},{"ok":true},{"Error":"Item.Bad","Cause":"bad item"}]`, string(ex.Output))
			}
		})
	}
}

func TestDistributedMapReadsS3AndBatches(t *testing.T) {
	store := newMemStore(map[string]string{
		"in/rows.csv":   "id,name\n1,ann\n2,bob\n3,cy\n",
		"in/rows.jsonl": "{\"n\":1}\n{\"n\":2}\n\n{\"n\":3}\n",
		"in/list/a":     "x", "in/list/b": "yy",
	})
	for _, c := range []struct{ name, fields, want string }{
		{"CSV with its header row", `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},"Parameters":{"Bucket":"in","Key":"rows.csv"}},`,
			`[{"id":"1","name":"ann"},{"id":"2","name":"bob"},{"id":"3","name":"cy"}]`},
		{"CSV with given headers and MaxItems", `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["a","b"],"MaxItems":2},"Parameters":{"Bucket":"in","Key":"rows.csv"}},`,
			`[{"a":"id","b":"name"},{"a":"1","b":"ann"}]`},
		{"JSONL", `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},"Parameters":{"Bucket":"in","Key.$":"$.key"}},`,
			`[{"n":1},{"n":2},{"n":3}]`},
		{"listObjectsV2", `"ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"in","Prefix":"list/"}},`,
			`[{"Etag":"\"e\"","Key":"list/a","LastModified":` + fmt.Sprint(epoch.Unix()) + `,"Size":1,"StorageClass":"STANDARD"},{"Etag":"\"e\"","Key":"list/b","LastModified":` + fmt.Sprint(epoch.Unix()) + `,"Size":2,"StorageClass":"STANDARD"}]`},
		{"batches of two with BatchInput", `"ItemsPath":"$.items","ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"run.$":"$.run"}},`,
			`[{"BatchInput":{"run":"r1"},"Items":[1,2]},{"BatchInput":{"run":"r1"},"Items":[3]}]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			ex := runDistributed(t, distributedMap(c.fields, ""), store, `{"key":"rows.jsonl","items":[1,2,3],"run":"r1"}`)
			require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
			assert.JSONEq(t, c.want, string(ex.Output))
		})
	}
	ex := runDistributed(t, distributedMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"in","Key":"missing.json"}},`, ""), store, `{}`)
	assert.Equal(t, "States.ItemReaderFailed", ex.Error, "a reader failure is named as AWS names it")
}

func TestDistributedMapWritesResults(t *testing.T) {
	store := newMemStore(nil)
	processor := `{"StartAt":"Check","States":{"Check":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":1,"Next":"Bad"}],"Default":"Good"},"Good":{"Type":"Pass","Parameters":{"n.$":"$"},"End":true},"Bad":{"Type":"Fail","Error":"Big","Cause":"too big"}}}`
	ex := runDistributed(t, distributedMap(`"ItemsPath":"$","ToleratedFailureCount":5,"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"runs"}},`, processor), store, `[1,2]`)
	require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
	var out struct {
		MapRunArn           string
		ResultWriterDetails struct{ Bucket, Key string }
	}
	require.NoError(t, json.Unmarshal(ex.Output, &out))
	assert.Equal(t, "out", out.ResultWriterDetails.Bucket)
	runID := out.MapRunArn[strings.LastIndex(out.MapRunArn, ":")+1:]
	assert.Equal(t, "runs/"+runID+"/manifest.json", out.ResultWriterDetails.Key)

	manifest, err := store.GetObject(context.Background(), "out", out.ResultWriterDetails.Key)
	require.NoError(t, err)
	var mf struct {
		DestinationBucket, MapRunArn string
		ResultFiles                  map[string][]struct{ Key string }
	}
	require.NoError(t, json.Unmarshal(manifest, &mf))
	assert.Equal(t, out.MapRunArn, mf.MapRunArn)
	require.Len(t, mf.ResultFiles["SUCCEEDED"], 1)
	require.Len(t, mf.ResultFiles["FAILED"], 1)
	succeeded, err := store.GetObject(context.Background(), "out", mf.ResultFiles["SUCCEEDED"][0].Key)
	require.NoError(t, err)
	var ents []map[string]any
	require.NoError(t, json.Unmarshal(succeeded, &ents))
	require.Len(t, ents, 1)
	assert.Equal(t, `{"n":1}`, ents[0]["Output"])
	assert.Equal(t, "1", ents[0]["Input"])
	assert.Equal(t, "SUCCEEDED", ents[0]["Status"])
	failed, err := store.GetObject(context.Background(), "out", mf.ResultFiles["FAILED"][0].Key)
	require.NoError(t, err)
	assert.Contains(t, string(failed), `"Error":"Big"`)
}

func TestDistributedMapNeedsAStore(t *testing.T) {
	sm, err := asl.Parse([]byte(distributedMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b","Key":"k"}},`, "")))
	require.NoError(t, err)
	_, err = states.New(sm)
	var ue *states.UnsupportedError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "ItemReader", ue.Field)
}

func TestDistributedMapInJSONata(t *testing.T) {
	def := `{"QueryLanguage":"JSONata","StartAt":"Fan","States":{"Fan":{"Type":"Map","Items":"{% $states.input.xs %}","ItemSelector":{"v":"{% $states.context.Map.Item.Value * 2 %}"},"ItemBatcher":{"MaxItemsPerBatch":"{% 2 %}"},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $count($states.input.Items) %}","End":true}}},"Output":"{% $sum($states.result) %}","End":true}}}`
	ex := runDistributed(t, def, nil, `{"xs":[1,2,3]}`)
	require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
	assert.JSONEq(t, `3`, string(ex.Output))
}
