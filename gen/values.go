package gen

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"

	"github.com/stepforge/stepforge/pkg/workflow"
)

// logicalID names the template resource or parameter of a declaration.
func logicalID(target any) (string, error) {
	switch t := target.(type) {
	case *workflow.Parameter:
		return t.LogicalID(), nil
	case *workflow.Function:
		return t.LogicalID(), nil
	case *workflow.StateMachine:
		return t.LogicalID(), nil
	case *workflow.Bucket:
		return t.LogicalID(), nil
	case *workflow.Topic:
		return t.LogicalID(), nil
	case *workflow.Key:
		return t.LogicalID(), nil
	case *workflow.Rule:
		return t.LogicalID(), nil
	case *workflow.HTTPAPI:
		return t.LogicalID(), nil
	case *workflow.RestAPI:
		return t.LogicalID(), nil
	}
	return "", fmt.Errorf("%T cannot be referenced", target)
}

// value renders v as a template string: plain, or an encoded intrinsic
// goformation expands when the template is written.
func value(v workflow.Value) (string, error) {
	switch v := v.(type) {
	case workflow.Literal:
		return string(v), nil
	case workflow.RefTo:
		id, err := logicalID(v.Target)
		if err != nil {
			return "", err
		}
		return cloudformation.Ref(id), nil
	case workflow.AttrOf:
		id, err := logicalID(v.Target)
		if err != nil {
			return "", err
		}
		return cloudformation.GetAtt(id, v.Name), nil
	case workflow.SecretName:
		return cloudformation.Ref(v.Secret.ParameterName()), nil
	case workflow.SecretARN:
		// Secrets Manager appends a dash and six random characters to a
		// secret's name in its ARN.
		return cloudformation.Sub("arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${" + v.Secret.ParameterName() + "}-??????"), nil
	case workflow.Sub:
		return cloudformation.Sub(string(v)), nil
	case nil:
		return "", fmt.Errorf("nil value")
	}
	return "", fmt.Errorf("unknown value %T", v)
}

// arn and ref are for declarations the generator itself passes, which
// logicalID always knows; a miss renders an empty reference, which the
// template checks in the tests report.
func arn(target any) string {
	id, _ := logicalID(target)
	return cloudformation.GetAtt(id, "Arn")
}

func ref(target any) string {
	id, _ := logicalID(target)
	return cloudformation.Ref(id)
}
