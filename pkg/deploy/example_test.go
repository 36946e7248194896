package deploy_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/stepforge/stepforge/pkg/deploy"
)

// A mage target deploys generated templates with their handler zips; the
// same call reaches AWS or, with AWS_ENDPOINT_URL set, the local cloud.
func ExampleDeploy() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	template, err := os.ReadFile("build/templates/pizza.template.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	report, err := deploy.Deploy(ctx, deploy.Options{
		Config:      cfg,
		Environment: "dev", // parameters from params/dev.json
		Stacks: []deploy.Stack{{
			Name:     "pizza",
			Template: template,
			Assets:   []deploy.Asset{{Parameter: "CheckPizzaCodeKey", Path: "build/handlers/checkpizza.zip"}},
		}},
	})
	var failed *deploy.StackError
	if errors.As(err, &failed) {
		fmt.Println(failed.Resource, failed.Reason, failed.Next)
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(report.Stacks[0].Outputs["PizzaHttpApiPostPizzaUrl"])
}
