package gen

import (
	"fmt"
	"sort"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/stepfunctions"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/workflow"
)

// machines declares each state machine with its role, derived from the
// tasks it runs, and its log group.
func (s *stack) machines() error {
	known := s.placeholders()
	for _, m := range s.w.Machines {
		id := m.LogicalID()
		def, err := m.Definition.MarshalIndent("", "  ")
		if err != nil {
			return fmt.Errorf("state machine %s: %w", m.Name, err)
		}
		s.asl[m.Name] = def
		subs, err := substitutions(m, known)
		if err != nil {
			return fmt.Errorf("state machine %s: %w", m.Name, err)
		}
		stmts, err := machineStatements(m, known)
		if err != nil {
			return fmt.Errorf("state machine %s: %w", m.Name, err)
		}
		sm := &stepfunctions.StateMachine{
			DefinitionString:        cloudformation.String(string(def)),
			DefinitionSubstitutions: subs,
			RoleArn:                 cloudformation.GetAtt(id+"Role", "Arn"),
			StateMachineType:        cloudformation.String(string(m.Type)),
			TracingConfiguration:    &stepfunctions.StateMachine_TracingConfiguration{Enabled: cloudformation.Bool(m.Tracing)},
		}
		if lg := m.Logging; lg != nil {
			group := &logs.LogGroup{
				// The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource
				// policy, which vended log delivery appends to, from growing
				// with every machine.
				LogGroupName:    cloudformation.SubPtr("/aws/vendedlogs/states/${AWS::StackName}-" + m.Name),
				RetentionInDays: cloudformation.Int(lg.RetentionDays),
			}
			if lg.Key != nil {
				group.KmsKeyId = cloudformation.String(arn(lg.Key))
			}
			if err := s.add(id+"LogGroup", group); err != nil {
				return err
			}
			sm.LoggingConfiguration = &stepfunctions.StateMachine_LoggingConfiguration{
				Level:                cloudformation.String(lg.Level),
				IncludeExecutionData: cloudformation.Bool(lg.IncludeExecutionData),
				Destinations: []stepfunctions.StateMachine_LogDestination{{
					CloudWatchLogsLogGroup: &stepfunctions.StateMachine_CloudWatchLogsLogGroup{LogGroupArn: cloudformation.String(cloudformation.GetAtt(id+"LogGroup", "Arn"))},
				}},
			}
		}
		if err := s.add(id+"Role", role("states.amazonaws.com", "Runs the "+m.Name+" state machine.", stmts)); err != nil {
			return err
		}
		if err := s.add(id, sm); err != nil {
			return err
		}
		s.output(id+"Arn", "ARN of the "+m.Name+" state machine.", ref(m))
	}
	return nil
}

// placeholders maps every DefinitionSubstitutions key the workflow offers to
// the declaration it stands for.
func (s *stack) placeholders() map[string]any {
	p := map[string]any{}
	for _, fn := range s.w.Functions {
		p[workflow.Placeholder(fn.LogicalID())] = fn
	}
	for _, t := range s.w.Topics {
		p[workflow.Placeholder(t.LogicalID())] = t
	}
	for _, m := range s.w.Machines {
		p[workflow.Placeholder(m.LogicalID())] = m
	}
	return p
}

// substitutions resolves the placeholders m's definition uses.
func substitutions(m *workflow.StateMachine, known map[string]any) (map[string]interface{}, error) {
	used := m.Definition.Placeholders()
	if len(used) == 0 {
		return nil, nil
	}
	subs := map[string]interface{}{}
	for _, name := range used {
		switch t := known[name].(type) {
		case *workflow.Function:
			subs[name] = arn(t)
		case *workflow.Topic, *workflow.StateMachine:
			subs[name] = ref(t)
		default:
			return nil, fmt.Errorf("${%s} names nothing the workflow declares", name)
		}
	}
	return subs, nil
}

// machineStatements derives the role's statements from the definition's
// tasks: lambda:InvokeFunction on exactly the functions invoked, sns:Publish
// on exactly the topics published to (and use of their keys), plus log
// delivery and tracing when those are on.
func machineStatements(m *workflow.StateMachine, known map[string]any) ([]statement, error) {
	invoke := map[string]string{}
	publish := map[string]string{}
	keys := map[string]string{}
	var errs []error
	m.Definition.Walk(func(path, name string, st asl.State) {
		task, ok := st.(*asl.Task)
		if !ok {
			return
		}
		switch task.Resource {
		case asl.LambdaInvoke:
			fn, ok := known[placeholderIn(task.Parameters["FunctionName"])].(*workflow.Function)
			if !ok {
				errs = append(errs, fmt.Errorf("%s: FunctionName must be a declared function's placeholder", path))
				return
			}
			invoke[fn.LogicalID()] = arn(fn)
		case asl.SNSPublish:
			t, ok := known[placeholderIn(task.Parameters["TopicArn"])].(*workflow.Topic)
			if !ok {
				errs = append(errs, fmt.Errorf("%s: TopicArn must be a declared topic's placeholder", path))
				return
			}
			publish[t.LogicalID()] = ref(t)
			if t.Key != nil {
				keys[t.Key.LogicalID()] = arn(t.Key)
			}
		default:
			errs = append(errs, fmt.Errorf("%s: the generator cannot yet derive IAM for %s", path, task.Resource))
		}
	})
	if len(errs) > 0 {
		return nil, errs[0]
	}
	var stmts []statement
	if len(invoke) > 0 {
		stmts = append(stmts, allow("InvokeFunctions", []string{"lambda:InvokeFunction"}, sorted(invoke)...))
	}
	if len(publish) > 0 {
		stmts = append(stmts, allow("PublishToTopics", []string{"sns:Publish"}, sorted(publish)...))
	}
	if len(keys) > 0 {
		// Publishing to an encrypted topic needs the topic's key.
		stmts = append(stmts, allow("UseTopicKeys", []string{"kms:GenerateDataKey", "kms:Decrypt"}, sorted(keys)...))
	}
	if m.Logging != nil {
		stmts = append(stmts, allow("DeliverLogs", logDeliveryActions, "*"))
	}
	if m.Tracing {
		stmts = append(stmts, allow("SendTraces", xrayMachineActions, "*"))
	}
	return stmts, nil
}

// placeholderIn returns NAME when v is exactly "${NAME}".
func placeholderIn(v any) string {
	s, _ := v.(string)
	if len(s) > 3 && s[:2] == "${" && s[len(s)-1] == '}' {
		return s[2 : len(s)-1]
	}
	return ""
}

// sorted returns the map's values ordered by key, so output is stable.
func sorted(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
