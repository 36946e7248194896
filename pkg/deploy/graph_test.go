package deploy

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStackGraphIsChecked(t *testing.T) {
	assert.ErrorContains(t, checkGraph([]Stack{{Name: "a"}, {Name: "a"}}), "stack a is given twice")
	assert.ErrorContains(t, checkGraph([]Stack{{Name: "a", DependsOn: []string{"b"}}}), "depends on stack b, which is not among the stacks given")
	assert.ErrorContains(t, checkGraph([]Stack{{Name: "a", DependsOn: []string{"b"}}, {Name: "b", DependsOn: []string{"a"}}}), "in a circle")
	assert.NoError(t, checkGraph([]Stack{{Name: "a", DependsOn: []string{"b"}}, {Name: "b"}, {Name: "c", DependsOn: []string{"a", "b"}}}))
}

func TestParallelFollowsDependencies(t *testing.T) {
	stacks := []Stack{{Name: "app", DependsOn: []string{"net", "data"}}, {Name: "net"}, {Name: "data"}, {Name: "extra", DependsOn: []string{"app"}}}
	for _, reversed := range []bool{false, true} {
		var mu sync.Mutex
		var order []string
		errs := parallel(context.Background(), stacks, reversed, func(_ context.Context, i int) error {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, stacks[i].Name)
			return nil
		})
		require.Len(t, order, 4)
		pos := map[string]int{}
		for i, n := range order {
			pos[n] = i
		}
		for _, s := range stacks {
			for _, d := range s.DependsOn {
				if reversed {
					assert.Less(t, pos[s.Name], pos[d], "%s is deleted before %s", s.Name, d)
				} else {
					assert.Less(t, pos[d], pos[s.Name], "%s is deployed before %s", d, s.Name)
				}
			}
		}
		assert.NoError(t, errors.Join(errs...))
	}

	errs := parallel(context.Background(), stacks, false, func(_ context.Context, i int) error {
		if stacks[i].Name == "data" {
			return errors.New("boom")
		}
		return nil
	})
	assert.NoError(t, errs[1])
	assert.EqualError(t, errs[2], "boom")
	assert.EqualError(t, errs[0], "stack app: skipped: stack data did not succeed")
	assert.EqualError(t, errs[3], "stack extra: skipped: stack app did not succeed")
}

func TestPollIntervalSuitsTheEndpoint(t *testing.T) {
	assert.Equal(t, 2*time.Second, pollInterval(aws.Config{}))
	assert.Equal(t, 50*time.Millisecond, pollInterval(aws.Config{BaseEndpoint: aws.String("http://127.0.0.1:4566")}))
	assert.Equal(t, 50*time.Millisecond, pollInterval(aws.Config{BaseEndpoint: aws.String("http://localhost:4566")}))
	assert.Equal(t, 50*time.Millisecond, pollInterval(aws.Config{BaseEndpoint: aws.String("http://[::1]:4566")}))
	assert.Equal(t, 2*time.Second, pollInterval(aws.Config{BaseEndpoint: aws.String("https://cloudformation.eu-west-1.amazonaws.com")}))
}

func TestAssetKeysFollowContent(t *testing.T) {
	a, b := assetKey([]byte("zip one")), assetKey([]byte("zip two"))
	assert.Regexp(t, `^assets/[0-9a-f]{64}\.zip$`, a)
	assert.NotEqual(t, a, b)
	assert.Equal(t, a, assetKey([]byte("zip one")))
	assert.Regexp(t, `^templates/[0-9a-f]{64}\.json$`, templateKey([]byte("{}")))
}

func TestTemplateURL(t *testing.T) {
	assert.Equal(t, "http://127.0.0.1:4566/b/templates/x.json", objectURL(aws.Config{BaseEndpoint: aws.String("http://127.0.0.1:4566/")}, "b", "templates/x.json"))
	assert.Equal(t, "https://b.s3.eu-west-1.amazonaws.com/templates/x.json", objectURL(aws.Config{Region: "eu-west-1"}, "b", "templates/x.json"))
}
