package outbox_test

import (
	"fmt"
	"os"

	"github.com/stepforge/stepforge/pkg/outbox"
)

// The outbox folder holds what SNS would have emailed; List reads it
// and Print shows it as `go run mage.go outbox` does.
func ExampleList() {
	mails, err := outbox.List("testdata")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range mails {
		fmt.Println(m.To, m.Subject)
	}
	_ = outbox.Print(os.Stdout, mails[1:], true)
	// Output:
	// ops@example.com AWS Notification - Subscription Confirmation
	// ops@example.com Step function failed
	// File: testdata/2023-03-10T20-33-15.000000000Z-7071740f-40e4-4943-b6eb-362022b0794f-9c4bb02d.eml
	// From: "Topic for Sfn Error Notification" <no-reply@sns.amazonaws.com>
	// To: <ops@example.com>
	// Subject: Step function failed
	// Date: Fri, 10 Mar 2023 20:33:15 +0000
	// Content-Transfer-Encoding: 8bit
	// Content-Type: text/plain; charset=UTF-8
	// Message-Id: <7071740f-40e4-4943-b6eb-362022b0794f@sns.amazonaws.com>
	// Mime-Version: 1.0
	//
	// Hey, something went wrong with your step function...
	//
	// --
	// If you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:
	// http://localhost:4566/_localcloud/sns/unsubscribe?SubscriptionArn=x
}
