package gen

import (
	"fmt"
	"sort"
	"time"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/logs"

	"github.com/stepforge/stepforge/pkg/workflow"
)

// Every function runs the same way: a Go bootstrap on Graviton.
const (
	runtime      = "provided.al2023"
	architecture = "arm64"
	handler      = "bootstrap"
)

// functions declares each function with its own log group and role. The role
// may write only to that log group (not the AWSLambdaBasicExecutionRole
// policy, whose log actions are on "*"), send traces, and touch what the
// declaration lists.
func (s *stack) functions() error {
	for _, fn := range s.w.Functions {
		id := fn.LogicalID()
		retention := fn.LogRetentionDays
		if retention == 0 {
			retention = workflow.DefaultLogRetentionDays
		}
		if err := s.add(id+"LogGroup", &logs.LogGroup{RetentionInDays: cloudformation.Int(retention)}); err != nil {
			return err
		}
		stmts, err := functionStatements(fn)
		if err != nil {
			return fmt.Errorf("function %s: %w", fn.Name, err)
		}
		if err := s.add(id+"Role", role("lambda.amazonaws.com", "Runs the "+fn.Handler+" function.", stmts)); err != nil {
			return err
		}
		env, err := environment(fn)
		if err != nil {
			return fmt.Errorf("function %s: %w", fn.Name, err)
		}
		memory := fn.MemoryMB
		if memory == 0 {
			memory = workflow.DefaultMemoryMB
		}
		timeout := fn.Timeout
		if timeout == 0 {
			timeout = workflow.DefaultTimeout
		}
		f := &lambda.Function{
			Description:   cloudformation.String(fn.Description),
			Runtime:       cloudformation.String(runtime),
			Architectures: []string{architecture},
			Handler:       cloudformation.String(handler),
			Code: &lambda.Function_Code{
				S3Bucket: cloudformation.RefPtr(ArtifactBucketParameter),
				S3Key:    cloudformation.RefPtr(CodeKeyParameter(fn)),
			},
			Role:          cloudformation.GetAtt(id+"Role", "Arn"),
			MemorySize:    cloudformation.Int(memory),
			Timeout:       cloudformation.Int(int(timeout / time.Second)),
			TracingConfig: &lambda.Function_TracingConfig{Mode: cloudformation.String("Active")},
			LoggingConfig: &lambda.Function_LoggingConfig{
				LogFormat:           cloudformation.String("JSON"),
				LogGroup:            cloudformation.RefPtr(id + "LogGroup"),
				ApplicationLogLevel: cloudformation.String("INFO"),
				// Lambda's START, END and REPORT lines (duration, memory,
				// init time) are INFO: a higher level drops them.
				SystemLogLevel: cloudformation.String("INFO"),
			},
		}
		if len(env) > 0 {
			f.Environment = &lambda.Function_Environment{Variables: env}
		}
		if err := s.add(id, f); err != nil {
			return err
		}
	}
	return nil
}

func functionStatements(fn *workflow.Function) ([]statement, error) {
	id := fn.LogicalID()
	stmts := []statement{
		allow("WriteOwnLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, cloudformation.GetAtt(id+"LogGroup", "Arn")),
		allow("SendTraces", xrayActions, "*"),
	}
	if len(fn.ReadsSecrets) > 0 {
		var res []string
		for _, sec := range fn.ReadsSecrets {
			v, err := value(workflow.SecretARN{Secret: sec})
			if err != nil {
				return nil, err
			}
			res = append(res, v)
		}
		stmts = append(stmts, allow("ReadSecrets", []string{"secretsmanager:GetSecretValue"}, res...))
	}
	if len(fn.StartsMachines) > 0 {
		var res []string
		for _, m := range fn.StartsMachines {
			res = append(res, ref(m))
		}
		stmts = append(stmts, allow("StartExecutions", []string{"states:StartExecution"}, res...))
	}
	for _, b := range fn.ReadsBuckets {
		stmts = append(stmts,
			allow("ReadObjects"+b.Name, []string{"s3:GetObject"}, cloudformation.Sub("${"+b.LogicalID()+".Arn}/*")),
			// Without ListBucket, S3 answers a missing key with AccessDenied
			// instead of NoSuchKey, and the function cannot say which.
			allow("ListObjects"+b.Name, []string{"s3:ListBucket"}, arn(b)),
		)
	}
	for _, b := range fn.WritesBuckets {
		stmts = append(stmts,
			allow("WriteObjects"+b.Name, []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, cloudformation.Sub("${"+b.LogicalID()+".Arn}/*")),
			allow("ListObjects"+b.Name, []string{"s3:ListBucket"}, arn(b)),
		)
	}
	for i, g := range fn.Grants {
		var res []string
		for _, r := range g.Resources {
			v, err := value(r)
			if err != nil {
				return nil, err
			}
			res = append(res, v)
		}
		stmts = append(stmts, allow(fmt.Sprintf("Grant%d", i+1), g.Actions, res...))
	}
	return stmts, nil
}

func environment(fn *workflow.Function) (map[string]string, error) {
	if len(fn.Env) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(fn.Env))
	for k := range fn.Env {
		names = append(names, k)
	}
	sort.Strings(names)
	env := map[string]string{}
	for _, k := range names {
		v, err := value(fn.Env[k])
		if err != nil {
			return nil, fmt.Errorf("env %s: %w", k, err)
		}
		env[k] = v
	}
	return env, nil
}
