package deploy

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// Resource is one deployed resource of a stack.
type Resource struct {
	Stack, LogicalID, PhysicalID, Type string
}

// Lookup finds the deployed resource of the given types that name
// stands for, so that a developer can say "CheckPizza" for the function
// CloudFormation named pizza-CheckPizzaFunction-1A2B3C: name matches a
// physical id, a logical id, or a logical id without its type's suffix
// ("Function", "StateMachine"), case-insensitively. None, or more than
// one, is an error listing what there is.
func Lookup(ctx context.Context, cfg aws.Config, stacks []string, name string, types ...string) (Resource, error) {
	cfn := cloudformation.NewFromConfig(cfg)
	var found, all []Resource
	for _, stack := range stacks {
		out, err := cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(stack)})
		if err != nil {
			if strings.Contains(err.Error(), "does not exist") {
				continue
			}
			return Resource{}, fmt.Errorf("%s: %w", stack, err)
		}
		for _, r := range out.StackResources {
			res := Resource{Stack: stack, LogicalID: aws.ToString(r.LogicalResourceId), PhysicalID: aws.ToString(r.PhysicalResourceId), Type: aws.ToString(r.ResourceType)}
			if len(types) > 0 && !contains(types, res.Type) {
				continue
			}
			all = append(all, res)
			if matches(res, name) {
				found = append(found, res)
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Resource{}, fmt.Errorf("no deployed %s is called %q; there are: %s", strings.Join(types, " or "), name, listed(all))
	}
	return Resource{}, fmt.Errorf("%q names more than one resource (%s): give the stack's physical id", name, listed(found))
}

func matches(r Resource, name string) bool {
	if strings.EqualFold(r.PhysicalID, name) || strings.EqualFold(r.LogicalID, name) {
		return true
	}
	// An ARN's last part is the resource's name (a state machine's).
	if i := strings.LastIndex(r.PhysicalID, ":"); i >= 0 && strings.EqualFold(r.PhysicalID[i+1:], name) {
		return true
	}
	for _, suffix := range []string{"Function", "StateMachine"} {
		if base, ok := strings.CutSuffix(r.LogicalID, suffix); ok && strings.EqualFold(base, name) {
			return true
		}
	}
	return false
}

func listed(rs []Resource) string {
	if len(rs) == 0 {
		return "none (is the stack deployed?)"
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Stack + "/" + r.LogicalID
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
