package logview

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// GroupFor is the log group Lambda writes a function's logs to by
// default: /aws/lambda/<name>.
func GroupFor(name string) string { return "/aws/lambda/" + name }

// ResolveGroup finds the log group of name: a function's (its
// LoggingConfig.LogGroup, else GroupFor) or else a state machine's (its
// logging destination); when neither exists the error lists what does.
// Either client may be nil to skip that service.
func ResolveGroup(ctx context.Context, lambdaClient *lambda.Client, sfnClient *sfn.Client, name string) (string, error) {
	if lambdaClient != nil {
		fn, err := lambdaClient.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		var nf *lambdatypes.ResourceNotFoundException
		switch {
		case err == nil:
			if c := fn.Configuration; c != nil && c.LoggingConfig != nil && aws.ToString(c.LoggingConfig.LogGroup) != "" {
				return aws.ToString(c.LoggingConfig.LogGroup), nil
			}
			return GroupFor(name), nil
		case !errors.As(err, &nf):
			return "", fmt.Errorf("logview: looking up function %s: %w", name, err)
		}
	}
	var machines []string
	if sfnClient != nil {
		arn := ""
		pages := sfn.NewListStateMachinesPaginator(sfnClient, &sfn.ListStateMachinesInput{})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return "", fmt.Errorf("logview: listing state machines: %w", err)
			}
			for _, m := range page.StateMachines {
				machines = append(machines, aws.ToString(m.Name))
				if aws.ToString(m.Name) == name || aws.ToString(m.StateMachineArn) == name {
					arn = aws.ToString(m.StateMachineArn)
				}
			}
		}
		if arn != "" {
			sm, err := sfnClient.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
			if err != nil {
				return "", fmt.Errorf("logview: describing state machine %s: %w", name, err)
			}
			if lc := sm.LoggingConfiguration; lc != nil {
				for _, d := range lc.Destinations {
					if d.CloudWatchLogsLogGroup != nil {
						if g := groupName(aws.ToString(d.CloudWatchLogsLogGroup.LogGroupArn)); g != "" {
							return g, nil
						}
					}
				}
			}
			return "", fmt.Errorf("logview: state machine %s logs to no CloudWatch Logs group (its loggingConfiguration has no destination)", name)
		}
	}
	var functions []string
	if lambdaClient != nil {
		pages := lambda.NewListFunctionsPaginator(lambdaClient, &lambda.ListFunctionsInput{})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return "", fmt.Errorf("logview: listing functions: %w", err)
			}
			for _, f := range page.Functions {
				functions = append(functions, aws.ToString(f.FunctionName))
			}
		}
	}
	sort.Strings(functions)
	sort.Strings(machines)
	return "", fmt.Errorf("logview: no function or state machine is named %q; functions: %s; state machines: %s",
		name, list(functions), list(machines))
}

func list(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

// groupName is the name in a log group ARN, with or without the ":*".
func groupName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":log-group:")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(rest, ":*")
}
