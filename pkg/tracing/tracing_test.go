package tracing

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/aws/aws-xray-sdk-go/v2/xraylog"
	"github.com/stretchr/testify/assert"
)

type captured struct{ lines []string }

func (c *captured) Log(level xraylog.LogLevel, msg fmt.Stringer) {
	c.lines = append(c.lines, level.String()+" "+msg.String())
}

// TestUntracedWorkIsNotAnError pins what Configure changes: before it, a
// subsegment begun outside any segment is logged as an error; after it,
// nothing is.
func TestUntracedWorkIsNotAnError(t *testing.T) {
	var before captured
	xray.SetLogger(&before)
	_, seg := xray.BeginSubsegment(context.Background(), "untraced")
	assert.Nil(t, seg)
	assert.NotEmpty(t, before.lines, "the SDK's default reports a missing segment")

	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	Configure()
	_, seg = xray.BeginSubsegment(context.Background(), "untraced")
	assert.Nil(t, seg)
	assert.NotContains(t, logs.String(), "segment cannot be found")
}

func TestSDKWarningsGoToSlogAtDebug(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	slogAdapter{}.Log(xraylog.LogLevelError, stringer("emitter failed"))
	slogAdapter{}.Log(xraylog.LogLevelInfo, stringer("chatter"))
	assert.Contains(t, logs.String(), "level=DEBUG msg=xray detail=\"emitter failed\"")
	assert.NotContains(t, logs.String(), "chatter")
}

type stringer string

func (s stringer) String() string { return string(s) }
