package classify

import "strings"

// nounKind says what a counted noun counts. People and devices are the MAC
// boundary (one laptop is support, fifty is a project); sites make anything
// a project once there are several; infrastructure counts ("3 hosts") add to
// the weight of changing it.
type nounKind uint8

const (
	nkNone nounKind = iota
	nkPerson
	nkDevice
	nkInfra
	nkSite
	nkArea  // floor: a floor of desks is many devices
	nkGroup // team, department: a handful to a few dozen people
	nkRoom  // meeting room, boardroom: a space with several devices, never "one device"
)

func addNouns(kind nounKind, words string, m map[string]nounKind) {
	for _, w := range strings.Split(words, "|") {
		m[stem(w)] = kind
		if strings.HasSuffix(w, "ing") {
			nounIng[w] = true
		}
	}
}

// nounIng are the listed nouns that end in -ing ("building"). Any other
// -ing word whose stem is a noun's is a verb or an activity, not the
// thing: "accounting" is not an accountant, "hosting" not a host,
// "monitoring" not a monitor.
var nounIng = map[string]bool{}

// nounOf says what a token counts, if it is a countable noun.
func nounOf(t token) (nounKind, bool) {
	kind, ok := nouns[t.stem]
	if ok && strings.HasSuffix(t.word, "ing") && !nounIng[t.word] {
		return nkNone, false
	}
	return kind, ok
}

// nounKindOf is nounOf without the flag.
func nounKindOf(t token) nounKind {
	k, _ := nounOf(t)
	return k
}

// siteNouns are the places a business works from.
const siteNouns = "site|sites|office|offices|branch|branches|location|locations|clinic|clinics|store|stores|shop|shops|building|buildings|warehouse|warehouses|practice|practices|school|schools|depot|depots|plant|plants|factory|factories|restaurant|restaurants|hotel|hotels|studio|studios|campus|campuses|premises|hospital|hospitals|venue|venues|center|centre|centers|centres"

// nounLists are the countable nouns by kind.
var nounLists = []struct {
	kind  nounKind
	words string
}{
	{nkPerson, "user|users|staff|people|person|persons|employee|employees|starter|starters|hire|hires|joiner|joiners|member|members|colleague|colleagues|graduate|graduates|intern|interns|rep|reps|contractor|contractors|student|students|teacher|teachers|agent|agents|seat|seats|mailbox|mailboxes|licence|licences|license|licenses|worker|workers|engineer|engineers|nurse|nurses|doctor|doctors|clinician|clinicians|lawyer|lawyers|accountant|accountants|guy|guys|folks|heads|headcount|recruit|recruits|volunteer|volunteers|driver|drivers|technician|technicians|manager|managers|partner|partners|associate|associates|consultant|consultants|bookkeeper|assistant|assistants|receptionist|sales rep|salesperson|individual|individuals|mailboxs"},
	{nkDevice, "pc|pcs|laptop|laptops|desktop|desktops|computer|computers|workstation|workstations|machine|machines|device|devices|endpoint|endpoints|monitor|monitors|screen|screens|display|displays|keyboard|keyboards|mouse|mice|printer|printers|copier|copiers|scanner|scanners|phone|phones|handset|handsets|headset|headsets|mobile|mobiles|tablet|tablets|ipad|ipads|iphone|iphones|dock|docks|webcam|webcams|camera|cameras|desk|desks|tv|tvs|projector|projectors|macbook|macbooks|chromebook|chromebooks|thin client|terminal|terminals|till|tills|kiosk|kiosks|mfd|mfds"},
	{nkRoom, "room|rooms|meeting room|boardroom|boardrooms"},
	{nkInfra, "server|servers|host|hosts|switch|switches|router|routers|firewall|firewalls|ap|aps|access point|vm|vms|nas|rack|racks|node|nodes|database|databases|circuit|circuits|asa|fortigate|fortigates|sonicwall|meraki|appliance|appliances|vpn|vpns|cluster|clusters|nvr|nvrs|dvr"},
	{nkSite, siteNouns},
	{nkArea, "floor|floors|wing|wings|level|levels"},
	{nkGroup, "team|department|departments|dept|depts|division|divisions"},
}

// nouns maps stems of countable nouns to their kind; read-only after start.
var nouns = func() map[string]nounKind {
	m := map[string]nounKind{}
	for _, l := range nounLists {
		addNouns(l.kind, l.words, m)
	}
	return m
}()

// nounWords is every countable noun of the noun lists, as written.
func nounWords() []string {
	var out []string
	for _, l := range nounLists {
		for _, w := range strings.Split(l.words, "|") {
			out = append(out, strings.Fields(w)...)
		}
	}
	return out
}

// numberWords are the spelled-out counts people type ("fifty laptops").
var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
	"fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
	"nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
	"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
	"hundred": 100, "thousand": 1000, "dozen": 12,
	// Vague amounts, read as their usual size.
	"couple": 2, "both": 2, "few": 3, "several": 4, "multiple": 4, "handful": 4,
	"dozens": 24, "hundreds": 200, "thousands": 2000, "lots": 10, "loads": 10, "many": 10, "numerous": 10,
}

// notCountPrev: a number right after these is a code, version or place,
// not a count ("error 6123", "Windows 11", "room 12", "host 2").
var notCountPrev = stemSet("error|errors|code|codes|port|ports|room|line|version|v|ver|windows|win|server|office|exchange|sql|iphone|ios|android|ext|extension|build|id|ticket|step|option|level|page|floor|rev|model|series|no|number|num|host|node|vlan|pc|unit|suite|event|kb|hp|dell|lenovo|gen|generation|firmware|patch|issue|inc|req|case|sprint|phase|week|day|year|month|q|at|by|since|until|from|before|after|the|top|pro|max|plus|ultra|mini|air|galaxy|pixel|surface|m|x|desk|ext|cubicle|bay|aisle|row|zone|gate|dock")

// notCountNext: a number before these is a time, size or ordinal.
var notCountNext = stemSet("am|pm|hour|hours|hr|hrs|minute|minutes|min|mins|second|seconds|sec|secs|day|days|week|weeks|weekend|weekends|month|months|year|years|time|times|gb|tb|mb|kb|ghz|mhz|mbps|gbps|percent|pct|k|st|nd|rd|th|inch|inches|ft|feet|meter|meters|metres|mile|miles|pages|page|attempts|attempt|tries|try|emails|messages|files|records|rows|items|calls|tickets|dollars|pounds|euros|gbp|usd|eur|am|o|clock|per|of|x")

// skippable words may sit between a number and its noun ("3 aging Hyper-V
// hosts", "40 new laptops"), but prepositions and verbs end the search.
var countStop = stemSet("for|to|in|on|at|from|by|per|with|than|or|is|are|was|were|has|have|had|be|been|will|would|can|need|needs|want|wants|get|got|into|onto|via|over|under|after|before|since|until|each|every|and")

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Split(words, "|") {
		m[w] = true
	}
	return m
}

func stemSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Split(words, "|") {
		m[stem(w)] = true
	}
	return m
}

// singleDet introduce one thing: "a second monitor", "one PC", "another laptop".
// They are compared as words: Porter stems "one" to "on".
var singleDet = wordSet("a|an|one|single|another|second|spare|extra|replacement|1")

// ownerDet make a device personal: "my laptop", "his phone".
var ownerDet = wordSet("my|his|her|their|mine")

// groupWhole turn a place or group into "everyone in it".
var groupWhole = stemSet("organisation|organization|board|estate|company|business|office|building|team|floor|org|organisation|organization|department|dept|site|estate|network|fleet|practice|school|firm|staff|workforce|group|domain|tenant|environment|infrastructure|practice|clinic|branch|warehouse|campus|hospital|floors|sites|offices|branches|company's")

// manyPhrases say "everyone" without a number.
var manyPhrases = [][]string{
	stems("company wide"), stems("companywide"), stems("organisation wide"), stems("organization wide"),
	stems("org wide"), stems("business wide"), stems("firm wide"), stems("estate wide"), stems("group wide"),
	stems("site wide"), stems("enterprise wide"), stems("across the board"), stems("everyone"), stems("everybody"),
	stems("all staff"), stems("all users"), stems("all employees"), stems("all our staff"), stems("all our users"),
	stems("all of them"), stems("all of us"), stems("all machines"), stems("all devices"),
}

func stems(s string) []string {
	var out []string
	for _, t := range tokenize(s) {
		out = append(out, t.stem)
	}
	return out
}
