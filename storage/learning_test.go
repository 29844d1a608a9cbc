package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/mspbot/mspbot/storage"
)

// Overrides are the training rows of a workspace's model; forgetting one
// removes it from the rows; the model is stored, replaced and dropped.
func TestTrainingRowsAndWorkspaceModel(t *testing.T) {
	t.Parallel()
	s, ws, p := setup(t)
	ctx := context.Background()
	var nums []int64
	for _, title := range []string{"new laptop for Sam", "move office to Leeds", "printer jam"} {
		r, _, err := s.CreateRequest(ctx, newRequest(ws, p, title, ""))
		if err != nil {
			t.Fatal(err)
		}
		nums = append(nums, r.Number)
	}
	if _, err := s.Reclassify(ctx, ws, nums[0], p.ID, "project", "project", "laptops are quoted", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reclassify(ctx, ws, nums[1], p.ID, "project", "project", "a move", ""); err != nil {
		t.Fatal(err)
	}
	rows, err := s.TrainingRows(ctx, ws)
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %+v, %v; want 2", rows, err)
	}
	if rows[0].Text != "new laptop for Sam" || rows[0].Kind != "project" || rows[0].Weight != 5 || rows[0].RequestNumber != nums[0] {
		t.Errorf("first row %+v", rows[0])
	}
	if err := s.ForgetOverride(ctx, ws, nums[0], p.ID); err != nil {
		t.Fatal(err)
	}
	if rows, err := s.TrainingRows(ctx, ws); err != nil || len(rows) != 1 || rows[0].RequestNumber != nums[1] {
		t.Fatalf("after forget: %+v, %v", rows, err)
	}

	if _, err := s.LoadWorkspaceModel(ctx, ws); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("no model yet: %v, want ErrNotFound", err)
	}
	if err := s.SaveWorkspaceModel(ctx, ws, []byte(`{"version":"v3+workspace","kind":{"w:leed":1.5}}`), 1, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveWorkspaceModel(ctx, ws, []byte(`{"version":"v3+workspace","kind":{"w:leed":2}}`), 2, p.ID); err != nil {
		t.Fatal(err)
	}
	m, err := s.LoadWorkspaceModel(ctx, ws)
	if err != nil || m.TrainingRows != 2 || string(m.Model) != `{"kind": {"w:leed": 2}, "version": "v3+workspace"}` {
		t.Fatalf("model %q rows %d, %v", m.Model, m.TrainingRows, err)
	}
	if err := s.SaveWorkspaceModel(ctx, ws, []byte(`not json`), 1, p.ID); err == nil {
		t.Error("a model that is not JSON must be refused")
	}
	if err := s.DropWorkspaceModel(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadWorkspaceModel(ctx, ws); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("after drop: %v, want ErrNotFound", err)
	}
	if _, err := s.AddContractClause(ctx, ws, "ACME", "covered", "patching", p.ID); err != nil {
		t.Fatal(err)
	}
	c, err := s.ClientByCode(ctx, ws, "acme")
	if err != nil {
		t.Fatal(err)
	}
	clauses, err := s.ContractClauses(ctx, c.ID)
	if err != nil || len(clauses) != 1 || clauses[0].ClientCode != "ACME" || clauses[0].Text != "patching" {
		t.Fatalf("clauses %+v, %v: want patching with its client's code", clauses, err)
	}
}
