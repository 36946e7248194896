package deploy

import (
	"context"
	"fmt"
)

// checkGraph rejects unnamed or repeated stacks, unknown dependencies and cycles.
func checkGraph(stacks []Stack) error {
	index := map[string]int{}
	for i, s := range stacks {
		if s.Name == "" {
			return fmt.Errorf("stack %d has no name", i)
		}
		if _, dup := index[s.Name]; dup {
			return fmt.Errorf("stack %s is given twice", s.Name)
		}
		index[s.Name] = i
	}
	state := make([]int, len(stacks)) // 0 new, 1 visiting, 2 done
	var visit func(i int, path []string) error
	visit = func(i int, path []string) error {
		switch state[i] {
		case 1:
			return fmt.Errorf("stacks depend on each other in a circle: %v", append(path, stacks[i].Name))
		case 2:
			return nil
		}
		state[i] = 1
		for _, d := range stacks[i].DependsOn {
			j, ok := index[d]
			if !ok {
				return fmt.Errorf("stack %s depends on stack %s, which is not among the stacks given", stacks[i].Name, d)
			}
			if err := visit(j, append(path, stacks[i].Name)); err != nil {
				return err
			}
		}
		state[i] = 2
		return nil
	}
	for i := range stacks {
		if err := visit(i, nil); err != nil {
			return err
		}
	}
	return nil
}

// parallel runs fn for every stack, each once the stacks it waits for
// (DependsOn, or the stacks depending on it when reversed) have succeeded.
func parallel(ctx context.Context, stacks []Stack, reversed bool, fn func(ctx context.Context, i int) error) []error {
	index := map[string]int{}
	for i, s := range stacks {
		index[s.Name] = i
	}
	waits := make([][]int, len(stacks))
	for i, s := range stacks {
		for _, d := range s.DependsOn {
			if reversed {
				waits[index[d]] = append(waits[index[d]], i)
			} else {
				waits[i] = append(waits[i], index[d])
			}
		}
	}
	done := make([]chan struct{}, len(stacks))
	for i := range done {
		done[i] = make(chan struct{})
	}
	errs := make([]error, len(stacks))
	for i := range stacks {
		go func() {
			defer close(done[i])
			for _, j := range waits[i] {
				<-done[j]
				if errs[j] != nil {
					errs[i] = fmt.Errorf("stack %s: skipped: stack %s did not succeed", stacks[i].Name, stacks[j].Name)
					return
				}
			}
			errs[i] = fn(ctx, i)
		}()
	}
	for i := range done {
		<-done[i]
	}
	return errs
}
