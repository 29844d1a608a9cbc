// LOCAL STUB — never commit; deleted when main brings the real classifier.
package classify

type Kind string
type Type string

const (
	KindProject Kind = "project"
	KindSupport Kind = "support"
)
const (
	TypeIncident       Type = "incident"
	TypeServiceRequest Type = "service_request"
	TypeMAC            Type = "mac"
	TypeRecurring      Type = "recurring"
	TypeProject        Type = "project"
)

type Result struct {
	Kind       Kind
	Type       Type
	Confidence float64
	Reasons    []string
}

func Classify(text string) Result {
	for _, w := range []string{"Move", "move", "project", "Replace", "migrat", "new building"} {
		if len(text) > 0 && contains(text, w) {
			return Result{KindProject, TypeProject, 0.9, []string{w}}
		}
	}
	return Result{KindSupport, TypeIncident, 0.9, []string{"stub"}}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
