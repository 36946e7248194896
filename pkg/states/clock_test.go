package states_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

func TestScaledClockShortensWaits(t *testing.T) {
	// At a time scale of 0.001 a 10 s Wait takes 10 ms of real time (the
	// context's 5 s would abort it otherwise), and the history's
	// timestamps are real ones.
	def, err := asl.Parse([]byte(one(`{"Type":"Wait","Seconds":10,"End":true}`)))
	require.NoError(t, err)
	m, err := states.New(def, states.WithClock(states.NewScaledClock(0.001)))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	before := time.Now()
	ex, err := m.Run(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, ex.Status)
	entered, exited := ex.History[1], ex.History[2]
	require.Equal(t, types.HistoryEventTypeWaitStateExited, exited.Type)
	assert.False(t, entered.Timestamp.Before(before.Truncate(time.Millisecond)), "real time")
	assert.Less(t, exited.Timestamp.Sub(*entered.Timestamp), 5*time.Second)
	assert.GreaterOrEqual(t, exited.Timestamp.Sub(*entered.Timestamp), 10*time.Millisecond)

	assert.Equal(t, states.RealClock{}, states.NewScaledClock(0))
	assert.Equal(t, states.RealClock{}, states.NewScaledClock(1))
	assert.Equal(t, states.RealClock{Scale: 0.5}, states.NewScaledClock(2), "a scale over 1 makes waits longer")
}

func TestResumedWaitThatHasEndedReturnsAtOnce(t *testing.T) {
	// An execution that entered an hour's Wait two hours ago and was then
	// interrupted resumes on the real clock past the Wait at once.
	def, err := asl.Parse([]byte(one(`{"Type":"Wait","Seconds":3600,"End":true}`)))
	require.NoError(t, err)
	then, err := states.New(def, states.WithClock(states.NewVirtualClock(time.Now().Add(-2*time.Hour))))
	require.NoError(t, err)
	ex, err := then.Run(context.Background(), nil, states.WithExecutionName("w"))
	require.NoError(t, err)
	now, err := states.New(def, states.WithClock(states.NewScaledClock(1)))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := now.Resume(ctx, ex.History[:2], states.WithExecutionName("w"))
	require.NoError(t, err)
	assert.Equal(t, states.StatusSucceeded, got.Status, "not aborted by the 5 s context")
}
