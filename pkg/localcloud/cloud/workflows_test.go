package cloud_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/build"
	"github.com/stepforge/stepforge/pkg/localcloud/cloud"
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

// hostZips builds every handler for this machine once per test run and
// packs each bootstrap into a zip, stored rather than deflated: deflating
// nine 20 MB binaries under the race detector costs minutes, and the
// local cloud reads either.
func hostZips(t testing.TB) map[string][]byte {
	t.Helper()
	zipsOnce.Do(func() {
		out, err := os.MkdirTemp("", "host-bootstraps")
		if err != nil {
			zipsErr = err
			return
		}
		arts, err := build.Build(context.Background(), build.Options{Root: "../../..", Out: out,
			GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, BinariesOnly: true})
		if err != nil {
			zipsErr = err
			return
		}
		zips = map[string][]byte{}
		for _, a := range arts {
			bin, err := os.ReadFile(a.Binary)
			if err != nil {
				zipsErr = err
				return
			}
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Store, ExternalAttrs: 0o755 << 16, CreatorVersion: 3 << 8})
			if err == nil {
				_, err = w.Write(bin)
			}
			if err == nil {
				err = zw.Close()
			}
			if err != nil {
				zipsErr = err
				return
			}
			zips[a.Name] = buf.Bytes()
		}
	})
	require.NoError(t, zipsErr)
	return zips
}

// workflows is the five stacks deployed with real host builds: each
// stack's outputs by stack name.
type workflows map[string]map[string]string

// deployWorkflows creates the five generated stacks on c with every
// function's real code; params overrides parameters by name.
func deployWorkflows(t testing.TB, cfg aws.Config, c *cloud.Cloud, params map[string]string) workflows {
	t.Helper()
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("artifacts")})
	require.NoError(t, err)
	for name, zipped := range hostZips(t) {
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
	c.CloudFormation.Wait()
	out := workflows{}
	for _, name := range names {
		d, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		require.NoError(t, err)
		st := d.Stacks[0]
		require.Equal(t, types.StackStatusCreateComplete, st.StackStatus, "%s: %s", name, aws.ToString(st.StackStatusReason))
		out[name] = map[string]string{}
		for _, o := range st.Outputs {
			out[name][aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
		}
	}
	return out
}
