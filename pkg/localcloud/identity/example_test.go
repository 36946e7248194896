package identity_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/identity"
)

// A state machine's role may invoke the one function its policy names.
func ExampleService_Evaluate() {
	dir, _ := os.MkdirTemp("", "identity")
	defer os.RemoveAll(dir)
	store, _ := localcloud.OpenStore(filepath.Join(dir, "state.db"))
	defer store.Close()
	iam := identity.New(store)
	ctx := context.Background()
	role, _ := iam.CreateRole(ctx, identity.CreateRoleInput{RoleName: "PizzaStateMachineRole",
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	_ = iam.PutRolePolicy(ctx, role.RoleName, "invoke", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:CheckPizza"}]}`)

	for _, fn := range []string{"CheckPizza", "Other"} {
		d, _ := iam.Evaluate(ctx, role.Arn, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:"+fn, nil)
		fmt.Println(fn, d.Allowed, d.Reason)
	}
	// Output:
	// CheckPizza true allowed by an identity-based policy
	// Other false no identity-based policy allows
}

// A function's session credentials are checked on every call the router
// serves; any other key is not.
func ExampleService_AuthorizeKey() {
	dir, _ := os.MkdirTemp("", "identity")
	defer os.RemoveAll(dir)
	store, _ := localcloud.OpenStore(filepath.Join(dir, "state.db"))
	defer store.Close()
	iam := identity.New(store)
	ctx := context.Background()
	role, _ := iam.CreateRole(ctx, identity.CreateRoleInput{RoleName: "CheckPizzaFunctionRole",
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	_ = iam.AttachRolePolicy(ctx, role.RoleName, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	key, _, _, _, _ := iam.IssueCredentials(ctx, role.Arn, "CheckPizza", "lambda.amazonaws.com")

	fmt.Println(iam.AuthorizeKey(ctx, key, "logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/CheckPizza:log-stream:s"))
	fmt.Println(iam.AuthorizeKey(ctx, key, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:Other"))
	fmt.Println(iam.AuthorizeKey(ctx, "AKIAIOSFODNN7EXAMPLE", "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:Other"))
	// Output:
	// <nil>
	// AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/CheckPizzaFunctionRole/CheckPizza is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:Other because no identity-based policy allows the lambda:InvokeFunction action
	// <nil>
}
