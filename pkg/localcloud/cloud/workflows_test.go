package cloud_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// handlerOf names the handler folder each template's code parameter
// deploys.
var handlerOf = map[string]string{
	"CheckPizzaCodeKey":       "pizzachecker",
	"CheckStatusCodeKey":      "statuschecker",
	"ProcessUploadCodeKey":    "uploadprocessor",
	"PrintPayloadCodeKey":     "payloadprinter",
	"WebhookInitiatorCodeKey": "webhookinitiator",
	"PublishMediumCodeKey":    "publishmedium",
	"PublishDevtoCodeKey":     "publishdevto",
	"PublishHashnodeCodeKey":  "publishhashnode",
	"IndexOpenSearchCodeKey":  "indexopensearch",
}

var (
	zipsOnce sync.Once
	zips     map[string][]byte
	zipsErr  error
)

// hostZips is every handler built for this machine and zipped
// (lctest.HostZips), once per test run, by handler.
func hostZips(t testing.TB) map[string][]byte {
	t.Helper()
	zipsOnce.Do(func() {
		out, err := os.MkdirTemp("", "host-bootstraps")
		if err != nil {
			zipsErr = err
			return
		}
		paths, err := lctest.HostZips("../../..", out)
		if err != nil {
			zipsErr = err
			return
		}
		zips = map[string][]byte{}
		for name, path := range paths {
			if zips[name], err = os.ReadFile(path); err != nil {
				zipsErr = err
				return
			}
		}
	})
	require.NoError(t, zipsErr)
	return zips
}

// workflows is the five stacks deployed with real host builds: each
// stack's outputs by stack name.
type workflows map[string]map[string]string

// deployWorkflows creates the generated stacks (only those named, when
// any are) with every function's real code on the local cloud cfg speaks
// to (in-process or a child process); params overrides parameters by name.
func deployWorkflows(t testing.TB, cfg aws.Config, params map[string]string, only ...string) workflows {
	t.Helper()
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("artifacts")})
	require.NoError(t, err)
	for name, zipped := range hostZips(t) {
		if len(only) > 0 && !needed(name, only) {
			continue
		}
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("artifacts"), Key: aws.String(name + ".zip"), Body: bytes.NewReader(zipped)})
		require.NoError(t, err)
	}
	templates, err := filepath.Glob("../../../gen/testdata/*.template.json")
	require.NoError(t, err)
	require.Len(t, templates, 5)
	cfn := cloudformation.NewFromConfig(cfg)
	var names []string
	for _, path := range templates {
		body, err := os.ReadFile(path)
		require.NoError(t, err)
		name := strings.TrimSuffix(filepath.Base(path), ".template.json")
		if len(only) > 0 && !slices.Contains(only, name) {
			continue
		}
		names = append(names, name)
		ps := templateParameters(t, body, "artifacts", "")
		for i, p := range ps {
			k := aws.ToString(p.ParameterKey)
			if h, ok := handlerOf[k]; ok {
				ps[i].ParameterValue = aws.String(h + ".zip")
			}
			if v, ok := params[k]; ok {
				ps[i].ParameterValue = aws.String(v)
			}
		}
		_, err = cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(string(body)),
			Parameters:   ps,
			Capabilities: []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam}})
		require.NoError(t, err, name)
	}
	out := workflows{}
	for _, name := range names {
		var st types.Stack
		for deadline := time.Now().Add(2 * time.Minute); ; {
			d, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
			require.NoError(t, err)
			st = d.Stacks[0]
			if !strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS") || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		require.Equal(t, types.StackStatusCreateComplete, st.StackStatus, "%s: %s", name, aws.ToString(st.StackStatusReason))
		out[name] = map[string]string{}
		for _, o := range st.Outputs {
			out[name][aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
		}
	}
	return out
}

// stackHandlers names the handlers each stack deploys.
var stackHandlers = map[string][]string{
	"pizza":           {"pizzachecker"},
	"retry-on-500":    {"statuschecker"},
	"upload-alarm":    {"uploadprocessor"},
	"express-webhook": {"payloadprinter"},
	"blog-publishing": {"webhookinitiator", "publishmedium", "publishdevto", "publishhashnode", "indexopensearch"},
}

func needed(handler string, stacks []string) bool {
	for _, st := range stacks {
		if slices.Contains(stackHandlers[st], handler) {
			return true
		}
	}
	return false
}

// scriptedStatus is the endpoint retry-on-500 asks: it answers 500 while
// fails is above zero, counting down, then 200.
type scriptedStatus struct {
	*httptest.Server
	fails, calls atomic.Int32
}

func newScriptedStatus() *scriptedStatus {
	s := &scriptedStatus{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.calls.Add(1)
		if s.fails.Add(-1) >= 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		s.fails.Store(0)
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	return s
}

// shared is one local cloud with the five stacks deployed, for the tests
// that only use them: deploying nine real functions is the slow part
// (20 MB each, copied several times, which the race detector checks byte
// by byte), so it is done once per test run.
var shared struct {
	once   sync.Once
	ok     bool
	cfg    aws.Config
	cloud  *cloud.Cloud
	wf     workflows
	status *scriptedStatus
	close  func()
}

func sharedWorkflows(t testing.TB) (aws.Config, *cloud.Cloud, workflows, *scriptedStatus) {
	t.Helper()
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "localcloud-shared")
		require.NoError(t, err)
		c, err := cloud.Open(cloud.Options{Dir: dir, TimeScale: 0.001, XRayAddr: "127.0.0.1:0"})
		require.NoError(t, err)
		hs := httptest.NewServer(c.Handler())
		c.SetEndpoint(hs.URL)
		shared.status = newScriptedStatus()
		shared.close = func() { hs.Close(); _ = c.Close(); shared.status.Close(); _ = os.RemoveAll(dir) }
		shared.cfg, shared.cloud = lctest.Config(hs.URL), c
		shared.wf = deployWorkflows(t, shared.cfg, map[string]string{"StatusUrl": shared.status.URL})
		shared.ok = true
	})
	if !shared.ok {
		t.Fatal("the shared local cloud could not be set up (see the first test that asked for it)")
	}
	shared.status.fails.Store(0)
	shared.status.calls.Store(0)
	return shared.cfg, shared.cloud, shared.wf, shared.status
}
