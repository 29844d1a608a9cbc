package classify

import (
	"sort"
	"strings"
)

// class groups cues by what they say about a request. The classifier does
// not add cue weights blindly: how a class counts depends on the others (a
// move/add/change verb points to a project only at scale, an infrastructure
// noun only when something is being changed), see score in classify.go.
type class uint8

const (
	clBreak     class = iota // something is broken or failing: an incident
	clBreakWeak              // "issue", "problem": support-ish, not decisive alone
	clRequest                // a small ask: password, access, licence, alias
	clRecurring              // scheduled upkeep: monthly patching, quarterly visit
	clMAC                    // move/add/change/install verbs; direction depends on scale
	clChange                 // verbs that change the environment: migrate, roll out
	clNew                    // new site/office/tenant, acquisition: a project by itself
	clInfra                  // infrastructure and systems: weight only when changed
	clSchedule               // planned timing: weekend cut-over, phased, "in March"
	clCost                   // commercial or planning language: quote, budget, scope
	clOld                    // reasons to replace: aging, end of life, out of warranty
	clUrgent                 // urgency: support-ish only when nothing is being planned
	nClasses
)

// cue is one phrase of the lexicon.
type cue struct {
	pat     []string // stems; "*" skips 0-2 words, "**" 0-4, "~ing" is any word ending in -ing, "=word" is that exact word
	cls     class
	w       float64
	label   string   // reason text; empty means the matched words, quoted
	notPrev []string // stems that, just before the match, cancel it ("shut down")
	notNext []string // stems that, just after the match, cancel it ("loss prevention")
	person  bool     // an onboarding cue: the MAC is about people, not devices
	phrasal bool     // notPrev holds a phrasal verb, which may sit further back ("shut it down")
}

// cueDef is the source form of a cue: one weight and class for a list of
// surface phrases, stemmed when the lexicon is built.
type cueDef struct {
	cls     class
	w       float64
	phrases string // phrases separated by "|"
	label   string
	notPrev string // surface words separated by "|"
	notNext string // surface words separated by "|"
	person  bool
}

// cueDefs is the lexicon. Weights are on one scale: 3 is a cue a technician
// would call decisive on its own ("not working", "migrate", "quote"), 1.5 a
// good hint, 0.5-1 a weak one. Weights come from the domain description and
// were not fitted. Phrases were added by family when a fresh batch of
// requests exposed a gap (complaints phrased as "nothing prints" or "is
// out", firewall brands, "get rid of"); see testdata/regress.tsv and
// testdata/unseen2*.tsv (billing language, seasons, leaving a site,
// renovation) and testdata/unseen3*.tsv (scoping questions, closing any
// kind of site). Break words are cancelled by what follows them as well as
// what precedes them: "data loss prevention" names a control and "out of
// control" is no outage. The combination rules in score carry most of the
// logic.
var cueDefs = []cueDef{
	// A control that is not switched on is a gap, not a fault: "MFA not
	// enabled for Sam" is a small ask, "not encrypted on 40 laptops" a
	// piece of work. As a small ask it only counts at small scale, see
	// score. Listed first so that it claims its words before "not ~ed".
	{cls: clRequest, w: 1.5, phrases: "not enabled|not configured|not enforced|not enrolled|not encrypted|not deployed|not set up|not turned on|not switched on|not licensed|not protected|not covered|not compliant|non compliant|not registered|not activated|not rolled out"},
	// Break/fix. Strong: the request says something is broken.
	{cls: clBreak, w: 3, phrases: "not working|isnt working|arent working|wasnt working|not work|doesnt work|dont work|didnt work|wont work|stopped working|stop working|no longer works|no longer working|broken|broke|outage|crash|crashes|crashed|crashing|error|errors|errored|fail|fails|failed|failing|failure|cant|cannot|can not|couldnt|unable|locked out|lock out|lockout|locked|offline|jammed|paper jam|out of order|dead|bsod|blue screen|frozen|freezing|freezes|not responding|unresponsive|corrupt|corrupted|virus|malware|ransomware|hacked|compromised|phishing|access denied|denied|cracked|stopped|no internet|no network|no signal|no dial tone|no sound|no power|no connection|not able|timed out|timeout|time out|timing out|bounced|bouncing|bounce back|disconnecting|disconnects|disconnected|keeps dropping|dropping out|drops out|flickering|flickers|overheating|beeping|stuck|spinning|hung|hangs|malfunction|malfunctioning|faulty|fault|defective|damaged|smashed|spilled|spill|not ~ing|isnt ~ing|arent ~ing|wasnt ~ing|werent ~ing|not being ~ed|not ~ed|wont ~|doesnt ~|didnt ~|isnt|wont|doesnt|didnt|arent|wasnt|werent|havent|hasnt|misconfigured|misconfiguration|incompatible|incompatibility"},
	{cls: clBreak, w: 3, phrases: "down", notPrev: "shut|slow|scale|cut|step|write|narrow|turn|wind|count|let|back|upside|sit|settle|calm|mark|top|water|tone|trim|pare|knock|tear|take|took|break|hand|bring|wear|hunker|wrote|weigh|run|ran|pin|nail|drill|clamp|tie|close|closed"},
	{cls: clBreak, w: 2.5, phrases: "keeps ~ing|keep ~ing|kept ~ing|keeps on ~ing|constantly|intermittent|intermittently|randomly|unexpected|unexpectedly|slow|slowly|slowness|slowdown|slowdowns|sluggish|laggy|lagging|lag|latency|glitch|glitchy|bug|buggy|missing|lost|disappeared|deleted|wrong|incorrect|inaccurate|invalid|not getting|never|no longer|pending|hanging|freeze|flicker|drops|dropping|disconnect|leaking|noisy|noise|smoke|burning|bent|loose|static|distorted|blurry|garbled|blank|internet out|power out|power cut|outages|no audio|no video|no picture|no display|nothing ~s|nothing works|nothing happens|echo|echoing|sticking|sticky|read only|pretending|impersonating|impersonation|spoofed|spoofing|scam|fraud|fraudulent|messed up|mess up|screwed up|playing up|acting up|black screen|white screen|popups|=pop =ups|keeps popping up|spam|suspicious|breach|infected|encrypted files|discrepancy|discrepancies|inconsistent|inconsistency|anomaly|anomalies|abnormal|unusual|irregular|delay|delays|delayed|dragging|degraded|degrading|degradation|bottleneck|bottlenecks|interfere|interferes|interfering|interference|conflict|conflicts|conflicting|=preventing|=prevents|=prevented|restricted|blocked|rejected|refused|refuses|ignoring|ignores|loss|leak|broke down|breaks|unavailable|inaccessible|unreachable|not functioning|functionality|misbehaving|behaving|behaves|glitches|complains|complaint|complaining|hiccup"},
	{cls: clBreak, w: 2, phrases: "is full|are full|almost full|nearly full|disk full|drive full|mailbox full|out of space|running out of space|low disk space|fix|fixed|fixing|repair|repaired|troubleshoot|troubleshooting|diagnose|diagnostic|diagnostics|workaround|root cause|restore|recover|recovery of|reinstall|reinstalled|reinstalling|restart|restarted|reboot|rebooted|rollback|roll back|escalate|escalated|escalating|warning|warnings|alert|alerts|help desk|ticket|again|still|anymore|any more|suddenly|since this morning|since yesterday|since monday|this morning|weird|strange|odd|stopped responding|loop|expired|=reported|=reports|user reports|customer reports|affected|affecting|impacting|impacted|interrupt|interrupted|disrupted|disruptions|performance|rectify|remedy|mitigate|persists|persist|recurring problem|recurring issue|reoccurring|happens|happening|happened|occurs|occurring|occurred|symptom|symptoms|whenever|every time|each time|sometimes|at times|quirk"},
	// "is out" is a fault; "are out of control", "is out of scope" are not.
	{cls: clBreak, w: 2.5, phrases: "is out|are out|went out", notNext: "of"},
	{cls: clBreakWeak, w: 1, phrases: "issue|issues|problem|problems|trouble|help|concern|concerns|not sure|struggling|cause|causing|resolve|resolved|resolution|investigate|investigating|look into|check why|why|difficulty|difficulties|assist|assistance|advise|advice|confused|unclear"},

	// Urgency says how soon, not what: "urgent, the server is down" and
	// "urgent: we need the new site live by Monday" are both urgent. It
	// leans toward support only when nothing is being planned; see score.
	{cls: clUrgent, w: 2, phrases: "urgent|urgently|asap|emergency|critical|immediately|right away|as soon as possible"},

	// Service requests: small asks on existing things.
	{cls: clRequest, w: 2.5, phrases: "out of toner|out of paper|out of ink|out of office|password|passwords|passcode|admin rights|admin access|local admin|rights to|unlock|forgot|forgotten|out of office|ooo|reset mfa|reset 2fa|mfa reset|distribution list|distribution group|dl|alias|signature|toner|voicemail|quick question|how do i|how can i|how to|leaver|leavers|offboard|offboarding|left the company|has left|disable * account|deactivate|remove access|revoke"},
	{cls: clRequest, w: 2, phrases: "reset|access to|give * access|grant|grant * access|permission to|permissions to|shared mailbox|shared calendar|calendar|map * drive|mapped drive|renew|licence|license|spare|loan|loaner|pin|shortcut|add * to|add * to * group|add * to * list|add * to * team|add * to * channel|remove * from|share * with|whitelist|allowlist|unblock|block sender|export|can you check|could you check|update * details|change * name|name change|printer driver|driver"},
	{cls: clRequest, w: 1, phrases: "extension|renewal|access|permission|permissions|mfa|2fa|=account|=accounts|mailbox|email address|guest wifi|wifi password|update|updates|quick"},

	// Recurring upkeep.
	{cls: clRecurring, w: 2.5, phrases: "monthly|quarterly|weekly|fortnightly|biweekly|annual|annually|yearly|every month|every week|every quarter|each month|routine|health check|onsite check|site check|backup check|backups check|check the backups|check backups|check * backups|patching|patch|patches|patch tuesday|preventive maintenance|preventative maintenance|scheduled maintenance|regular maintenance|maintenance visit|service visit|monthly visit"},
	{cls: clRecurring, w: 1.5, phrases: "visit|maintenance|recurring|regular|check in|checkup|check up|review|audit log|log review|cleanup|clean up"},
	{cls: clRecurring, w: 0.5, phrases: "check|checked|checking"},

	// Move/add/change verbs. On their own they describe a small MAC; with
	// many users, devices or sites they describe a project.
	{cls: clMAC, w: 2, phrases: "install|installed|installing|installation|put in|put * in|mount|hook up|hook * up|plug in|set up|setup|set * up|setting up|build * new|build a|=imaged|reimage|re image|provision|provisioning|replace|replacing|replaced|replacement|swap|swap out|swap * out|relocate|relocating|relocation|move|moving|moved|upgrade|upgrading|upgraded|enrol|enroll|enrolment|enrollment|add|adding|get * new|need * new|cable|cabling|patch in|hook * into|wire|wall mount|get * onto|move * onto|put * onto|onto"},
	{cls: clMAC, w: 1, phrases: "configure|configuring|connect|buy|purchase|procure|supply|order", notPrev: "in|out|of|the|purchase|work|working|sort|wrong|correct"},
	{cls: clMAC, w: 2, person: true, phrases: "new starter|new starters|new user|new users|new hire|new hires|new joiner|new joiners|new employee|new employees|new staff|new member|new members|new * starter|new * user|new * hire|new * employee|new * joiner|new guy|new girl|new person|new intern|new * intern|new rep|new * rep|new * manager|new * assistant|new * bookkeeper|new * accountant|new colleague|new recruit|new recruits|starting monday|starts monday|start date|starting on|onboard|onboarding|onboarded|create * account|create * accounts|set up * account|setup * account|new account|new accounts|accounts for"},

	// Verbs that change the environment whatever the headcount.
	{cls: clChange, w: 3, phrases: "migrate|migrating|migration|migrated|=redesign|=redesigning|=redesigned|re design|re architect|rearchitect|overhaul|cutover|cut over|go live|golive|fit out|fitout|replatform|modernise|modernize|modernisation|modernization|transformation|consolidate|consolidation|greenfield"},
	{cls: clChange, w: 2.5, phrases: "deploy|deploying|deployment|implement|implementing|implementation|roll out|rolling out|rollout|rolled out|decommission|decommissioning|retire|restructure|restructuring|build out|=integrate|=integrating|=integration|=integrations|integrate * with|move to|move off|move * to the cloud|to the cloud|into the cloud|cloud migration|lift and shift|get rid of|phase out|sunset|switch from|switching from|combine|merge with|merging with|merge * with|merge * into|merging * into|=split * network|=split * networks|=splitting * network|separate * network|separate * networks|=segregate|=segregating|=segregation|move away from|moving away from|moving to|switch to|switch over|switching to|transition|pilot|proof of concept|poc|standardise|standardize|redo|rebuild|re build|rewire|re wire|expand|expansion|=segmentation|segment * network|harden|hardening"},
	// Leaving a place or a platform is as much a change as arriving.
	{cls: clChange, w: 2.5, phrases: "=exit|=exiting|wind down|winding down|close * office|closing * office|close * site|closing * site|close * branch|closing * branch|shut * office|shutting * office|close * data centre|close * datacenter|close * data center|close * datacentre", notNext: "code|codes|status|button|screen|app|door|doors|window|windows|blinds|tab|tabs|full"},
	// Building something, named as a noun or verb ("intranet build").
	{cls: clChange, w: 1.5, phrases: "=build|=builds|=built", notPrev: "windows|os|insider|beta|latest|current|which|what|this|that|nightly|daily|each|every", notNext: "number|numbers|version|versions|id|log|logs|error|errors|fail|failed|failing|tools|agent|agents|pipeline|up"},
	// Giving up a way of working, said as a wish, is a change: "we want to
	// stop printing invoices", "we'd like to stop using the fax". The same
	// verb as a report ("the printer stopped printing") stays a fault.
	{cls: clChange, w: 2.5, phrases: "want * =stop ~ing|wants * =stop ~ing|like * =stop ~ing|plan * =stop ~ing|planning * =stop ~ing|decided * =stop ~ing|hoping * =stop ~ing"},
	{cls: clChange, w: 1.5, phrases: "=design|=designing|=designed|training|train|trained|improve|improving|improvement|improvements|strengthen|strengthening|tighten|tightening|tighten up|need better|needs better|want better|need * proper|needs * proper|want * proper|like * proper|enforce|enforcing|enforcement|onboard * onto|introduce|introducing|refresh|uat|unify|centralise|centralize|automate|automation|scale up|spin up|establish|stand up|replace * with|upgrade * to|upgrading * to|new * for all|moving us from|move us from|get us off|replace ** with"},

	// New places and organisational change: projects by themselves.
	{cls: clNew, w: 3, phrases: "new site|new office|new offices|new building|new branch|new location|new clinic|new store|new shop|new warehouse|new premises|new hq|new headquarters|new unit|new floor|new campus|new practice|new school|new factory|new depot|new comms room|new server room|another floor|another office|another site|second office|second site|second clinic|second location|second branch|third office|third site|open a new|opening * new|opening ** office|opening ** site|opening ** branch|opening ** clinic|opening ** store|opening ** shop|opening ** location|open ** store|open ** office|open ** clinic|open ** branch|office move|office relocation|move * office|move * offices|move * building|move * premises|move * hq|moving * office|moving * building|relocate * office|relocating * office|acquisition|acquiring|acquired|merger|building extension|extension to * building|extension to * office|extension to * premises|spin off|spinoff|rebrand|rebranding|=renovate|=renovating|=renovation|=renovations|=refurbishment|=refurbishing|=refit|=refitting|=remodel|=remodelling|=remodeling|new company|new business|new entity|new tenant|new domain|take over|taking over|taking on another|expanding"},

	// Infrastructure and line-of-business systems.
	{cls: clInfra, w: 2, phrases: "phishing simulation|phishing simulations|phishing training|phishing test|phishing tests|phishing campaign|phishing campaigns|security awareness|awareness training|malware protection|virus protection|ransomware protection|email filtering|spam filtering|cisco asa|asa|palo alto|fortigate|fortigates|fortinet|sonicwall|meraki|watchguard|pfsense|checkpoint|check point|site to site|vpns|server|servers|file server|print server|mail server|sql server|hyper v|vmware|esxi|hypervisor|cluster|san storage|storage area network|san array|nas|storage|firewall|firewalls|domain controller|active directory|tenant|datacentre|datacenter|data centre|data center|colocation|colo|phone system|pbx|voip|sip|cctv|access control|door entry|disaster recovery|dr site|sd wan|sdwan|mpls|erp|document management|virtual desktop|avd|citrix|rds|terminal server|infrastructure|network|networks|wireless network|wifi network|lan|wan|vlan|vlans|switches|core switch|routers|router|access points|aps|cabling|rack|ups battery|ups unit|backup solution|backup system|backup server|ticketing system|ticketing platform|helpdesk system|help desk system|asset tracking|asset management|exchange|exchange online|sharepoint|intune|autopilot|conditional access|single sign on|sso|entra|azure ad|m365|office 365|microsoft 365|google workspace|crm|edr|xdr|antivirus|anti virus|defender|sentinelone|mdm|password manager|teams calling|teams rooms|teams phone|meeting rooms|secure print|follow me printing|mfd|mfds|fibre|fiber|broadband|leased line|failover|data points|data point|network points|on prem|on premise|on premises|website|web site|dns|hosting|intranet|extranet|client portal|customer portal|web portal|certificate authority|^SAN|^PKI|^SIEM|^DLP|^HA|^NAC"},
	{cls: clInfra, w: 1, phrases: "wifi|wi fi|internet|azure|aws|onedrive|domain|email system|system|systems|platform|environment|solution|line of business|application|software|workspace"},

	// Planned timing.
	{cls: clSchedule, w: 2, label: "scheduled date", phrases: "january|february|march|april|june|july|august|september|october|november|december|jan|feb|sept|oct|nov|dec|in may|by may|before may|end of may|q1|q2|q3|q4|next year|next quarter|this year|end of year|year end|new year|next month|end of the month|end of month|by the end of"},
	{cls: clSchedule, w: 2, phrases: "weekend|weekends|over the weekend|phased|phase|phases|timeline|timeframe|time frame|deadline|milestone|milestones|go live date|target date|planned outage|planned downtime|weekend outage|outage window|maintenance window|change window|downtime|out of hours|after hours|overnight|spread over|over * weeks|over * months|over * weekends|in stages|staged|wave|waves|schedule * cutover|ready by|done by|complete by|completed by|start in|starting in"},
	// Seasons and holidays as a time for work: "over Christmas", "in the spring".
	{cls: clSchedule, w: 2, label: "scheduled date", phrases: "in * spring|in * summer|in * autumn|in * winter|this spring|this summer|this autumn|this winter|next spring|next summer|next autumn|next winter|by spring|by summer|by autumn|by winter|over christmas|over * christmas|before christmas|after christmas|by christmas|over easter|before easter|over * summer|over * holidays|during * holidays|christmas break|summer break|summer holidays|half term"},

	// Commercial and planning language.
	{cls: clCost, w: 3, phrases: "quote|quotes|quotation|=proposal|=proposals|sow|statement of work|rfp|rfq|tender|project|projects|roadmap|business case|estimate|estimates|price|prices|pricing|price up|costing|costings|budget|budgets|budgeted|site survey"},
	// Billed apart from the managed-services agreement: a project by definition.
	{cls: clCost, w: 2.5, phrases: "=engagement|=engagements|billable|chargeable|out of scope|out of contract|outside * contract|outside * agreement|separate agreement|separate contract|separate engagement|fixed fee|fixed price|time and materials|pay for * work|invoice * separately|bill * separately|billed separately|capex|capital expenditure|one off cost|one off fee|project fee"},
	// Questions that ask what a change would involve or cost are scoping,
	// whatever the change: "what would it take to...", "how long would
	// it take", "what would that look like". A question about a fault
	// ("why is it slow?") asks no such thing, and hedges ("is it
	// possible", "could you") carry no weight either way.
	{cls: clCost, w: 2, phrases: "what would it take|what it would take|what will it take|what does it take|what it takes|what is involved|whats involved|what would be involved|what would * involve|what it would involve|what would be needed|what would we need|what we would need|what do we need|what we need to|what would * look like|what it would look like|how much would|how much will|how much does * cost|how much would * cost|how long would|how long will * take|how would we go about|how do we go about|is it worth|would it be worth|worth doing|would it make sense|does it make sense|feasible|feasibility|pros and cons|ballpark|rough idea|rough cost|rough figure|indicative"},
	// Weighing a change up is planning it: "we are considering dropping
	// our on-prem Exchange". The break word after it is no fault, see
	// intentWords.
	{cls: clCost, w: 1.5, phrases: "considering|contemplating|weighing up|thinking about|thinking of"},
	{cls: clCost, w: 1.5, phrases: "=scope|=scoping|=scoped|cost|costs|plan|plans|planning|survey|requirements|invest|investment|purchase order|consultation|=propose|=recommendations"},
	{cls: clCost, w: 0.75, phrases: "options|recommend|assessment|assess|approval|approve|discuss|meeting to|=proposed"},

	// Reasons to replace something that still works.
	{cls: clOld, w: 1, phrases: "old|older|aging|ageing|ancient|legacy|outdated|obsolete|end of life|eol|end of support|out of support|out of warranty|warranty expired|unsupported|going out of support|nearing end|getting old|tired|=dated|discontinued|discontinuing|end of sale|deprecated|deprecating|deprecation|no longer supported|no longer sold|being retired|being phased out"},
}

// newInfra turns every strong infrastructure noun into a "new X" cue:
// asking for a new firewall, new cabling or a new phone system is new work,
// unlike "the firewall is down".
func newInfra(defs []cueDef) []cueDef {
	out := append([]cueDef{}, defs...)
	for _, d := range defs {
		if d.cls != clInfra || d.w < 2 {
			continue
		}
		var ps []string
		for _, p := range strings.Split(d.phrases, "|") {
			ps = append(ps, "new * "+p)
		}
		out = append(out, cueDef{cls: clNew, w: 2, phrases: strings.Join(ps, "|")})
	}
	return out
}

// siteChanges adds closing any kind of site ("close the warehouse",
// "shutting the Leeds depot", "closure of two clinics") to the changes:
// leaving a place is as much a project as opening one.
func siteChanges(defs []cueDef) []cueDef {
	var ps []string
	for _, w := range strings.Split(siteNouns, "|") {
		for _, v := range []string{"close", "closing", "shut", "shutting", "shut down", "closure of"} {
			ps = append(ps, v+" * "+w)
		}
	}
	// Reuse the cancelling words of the office/site closures above.
	for _, d := range defs {
		if d.cls == clChange && strings.Contains(d.phrases, "close * office") {
			return append(defs, cueDef{cls: clChange, w: d.w, phrases: strings.Join(ps, "|"), notNext: d.notNext})
		}
	}
	panic("classify: no site closure cues")
}

// boughtOrgs adds a business named as one the client bought or took over
// ("the company we bought", "the practice we took over") to the new-place
// cues: an acquisition said in plain words, without the word "acquisition".
func boughtOrgs(defs []cueDef) []cueDef {
	var ps []string
	for _, o := range strings.Split("company|companies|business|businesses|firm|firms|practice|practices|agency|group", "|") {
		for _, v := range []string{"we bought", "we have bought", "weve bought", "we just bought", "we are buying", "were buying", "we took over", "we have taken over", "weve taken over", "we are taking over", "were taking over", "we have acquired", "weve acquired", "we merged with"} {
			ps = append(ps, o+" "+v)
		}
	}
	return append(defs, cueDef{cls: clNew, w: 3, phrases: strings.Join(ps, "|")})
}

// lexicon is the stemmed, indexed form of cueDefs.
type lexicon struct {
	cues    []cue
	byFirst map[string][]int // first stem -> cue indexes
}

// lex is built once from the constant table above; it is read-only and safe
// for concurrent use.
var lex = buildLexicon(boughtOrgs(siteChanges(newInfra(cueDefs))))

func buildLexicon(defs []cueDef) *lexicon {
	l := &lexicon{byFirst: map[string][]int{}}
	seen := map[string]bool{}
	for _, d := range defs {
		notPrev, notNext := stemList(d.notPrev), stemList(d.notNext)
		if d.cls == clBreak || d.cls == clBreakWeak {
			notNext = append(notNext, controlHeads...)
			notPrev = append(notPrev, intentWords...)
		}
		for _, p := range strings.Split(d.phrases, "|") {
			var pat []string
			for _, w := range strings.Fields(p) {
				switch {
				case w == "*" || w == "**" || strings.HasPrefix(w, "~"):
					pat = append(pat, w)
				case strings.HasPrefix(w, "^"):
					// An acronym that is also an ordinary word ("SAN", "san"):
					// matched only when typed in capitals, see matchAt.
					pat = append(pat, w)
				case strings.HasPrefix(w, "="):
					// Exact word: for stems that collide ("designated" and
					// "design" share "design", "integrity" and "integrate").
					pat = append(pat, w)
				default:
					for _, t := range tokenize(w) {
						pat = append(pat, t.stem)
					}
				}
			}
			if len(pat) == 0 || pat[0] == "*" || strings.HasPrefix(pat[0], "~") {
				panic("classify: bad cue pattern " + p)
			}
			first := pat[0]
			if strings.HasPrefix(first, "=") {
				first = stem(first[1:])
			} else if strings.HasPrefix(first, "^") {
				first = stem(strings.ToLower(first[1:]))
			}
			key := strings.Join(pat, " ")
			if seen[key] {
				// The first definition wins, so a phrase listed twice keeps
				// its stronger, earlier weight.
				continue
			}
			seen[key] = true
			l.byFirst[first] = append(l.byFirst[first], len(l.cues))
			phrasal := false
			for _, w := range notPrev {
				phrasal = phrasal || containsStr(phrasalVerbs, w)
			}
			l.cues = append(l.cues, cue{pat: pat, cls: d.cls, w: d.w, label: d.label, notPrev: notPrev, notNext: notNext, person: d.person, phrasal: phrasal})
		}
	}
	// A longer phrase claims its words before the shorter phrases inside
	// it. If it weighed less than one of them ("wifi password" 1, "password"
	// 2.5), matching more words would lose evidence, so it inherits the
	// strongest weight of any phrase of its class that it contains.
	type key struct {
		cls class
		pat string
	}
	weight := map[key]float64{}
	for _, c := range l.cues {
		weight[key{c.cls, strings.Join(c.pat, " ")}] = c.w
	}
	for i := range l.cues {
		c := &l.cues[i]
		for a := 0; a < len(c.pat); a++ {
			for b := a + 1; b <= len(c.pat); b++ {
				if b-a == len(c.pat) {
					continue
				}
				if w, ok := weight[key{c.cls, strings.Join(c.pat[a:b], " ")}]; ok && w > c.w {
					c.w = w
				}
			}
		}
	}
	return l
}

// hit is one accepted cue match.
type hit struct {
	cue   int
	first int   // index of the first matched token
	last  int   // index of the last matched token
	pos   []int // matched token indexes (gaps excluded)
}

// matchAt tries cue c at token i and returns the matched token positions.
func matchAt(c *cue, text string, toks []token, i int) []int {
	var pos []int
	var rec func(pi, ti int) bool
	rec = func(pi, ti int) bool {
		if pi == len(c.pat) {
			return true
		}
		p := c.pat[pi]
		if p == "*" || p == "**" {
			maxSkip := 2
			if p == "**" {
				maxSkip = 4
			}
			for skip := 0; skip <= maxSkip && ti+skip <= len(toks); skip++ {
				if rec(pi+1, ti+skip) {
					return true
				}
			}
			return false
		}
		if ti >= len(toks) {
			return false
		}
		ok := false
		switch {
		case strings.HasPrefix(p, "~"):
			ok = strings.HasSuffix(toks[ti].word, p[1:]) && len(toks[ti].word) > len(p)
		case strings.HasPrefix(p, "="):
			ok = toks[ti].word == p[1:]
		case strings.HasPrefix(p, "^"):
			ok = len(text) >= toks[ti].end && text[toks[ti].start:toks[ti].end] == p[1:]
		default:
			ok = toks[ti].stem == p
		}
		if !ok {
			return false
		}
		pos = append(pos, ti)
		if rec(pi+1, ti+1) {
			return true
		}
		pos = pos[:len(pos)-1]
		return false
	}
	if !rec(0, i) {
		return nil
	}
	return pos
}

// findCues returns the cues present in toks. Overlaps are resolved longest
// first, across classes: "not working" claims "working", "weekend outage"
// claims "outage" (a planned outage is no incident), "new starter" claims
// "new". Each cue counts once however often it repeats, so a long pasted log
// full of "error" does not drown everything else out.
func findCues(text string, toks []token) []hit {
	var cands []hit
	for i := range toks {
		for _, ci := range lex.byFirst[toks[i].stem] {
			c := &lex.cues[ci]
			if i > 0 && len(c.notPrev) > 0 && containsStr(c.notPrev, toks[i-1].stem) {
				continue
			}
			if c.phrasal && len(c.pat) == 1 && phrasalBefore(c, toks, i) {
				continue
			}
			if pos := matchAt(c, text, toks, i); pos != nil {
				if inName(c, toks, pos) {
					continue
				}
				if k := pos[len(pos)-1] + 1; k < len(toks) && len(c.notNext) > 0 && containsStr(c.notNext, toks[k].stem) {
					continue
				}
				cands = append(cands, hit{cue: ci, first: pos[0], last: pos[len(pos)-1], pos: pos})
			}
		}
	}
	sort.SliceStable(cands, func(a, b int) bool {
		if len(cands[a].pos) != len(cands[b].pos) {
			return len(cands[a].pos) > len(cands[b].pos)
		}
		if cands[a].first != cands[b].first {
			return cands[a].first < cands[b].first
		}
		return cands[a].cue < cands[b].cue
	})
	claimed := make([]bool, len(toks))
	used := map[int]bool{}
	var hits []hit
	for _, h := range cands {
		if used[h.cue] {
			continue
		}
		free := true
		for _, p := range h.pos {
			if claimed[p] {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		for _, p := range h.pos {
			claimed[p] = true
		}
		used[h.cue] = true
		hits = append(hits, h)
	}
	sort.Slice(hits, func(a, b int) bool { return hits[a].first < hits[b].first })
	return dropPurpose(text, toks, hits)
}

// purposeNeg are the words that open a negated purpose: "so guests can't
// reach the servers", "so that staff aren't prompted".
var purposeNeg = stemList("cant|cannot|can|wont|dont|doesnt|isnt|arent|not|never|no|unable|nobody|noone")

// dropPurpose removes break/fix hits that state the goal of a change
// rather than a fault: "split the network so the tills can't see the
// office PCs" asks for a state where something can't happen. It applies
// only when a change, new-place or move/add/change cue comes before "so
// (that)" in the same sentence, no fault is reported before it, a subject
// stands between "so" and the negation (so "it's so slow" is untouched),
// and the negation opens the break cue. A result clause after a fault
// ("the VPN dropped so I can't work", "I moved desks so my phone doesn't
// work now") keeps its break word: a fault or a change already made comes
// first.
func dropPurpose(text string, toks []token, hits []hit) []hit {
	out := hits[:0:0]
	for _, h := range hits {
		c := &lex.cues[h.cue]
		if (c.cls == clBreak || c.cls == clBreakWeak) && containsStr(purposeNeg, toks[h.first].stem) && inPurpose(text, toks, hits, h.first) {
			continue
		}
		out = append(out, h)
	}
	return out
}

func inPurpose(text string, toks []token, hits []hit, i int) bool {
	so := -1
	for k := i - 2; k >= 0 && k >= i-5; k-- {
		if toks[k].word == "so" {
			so = k
			break
		}
	}
	if so < 1 || strings.ContainsAny(text[toks[so-1].end:toks[i].start], ".;!?") {
		return false
	}
	if toks[so+1].word == "now" || toks[so+1].word == "that" && so+1 == i-1 {
		return false // "so now ..." is a result; "so that can't ..." has no subject
	}
	changed := false
	for _, h := range hits {
		if h.first >= so {
			break
		}
		if strings.ContainsAny(text[toks[h.first].end:toks[so].start], ".;!?") {
			continue // another sentence
		}
		switch lex.cues[h.cue].cls {
		case clBreak:
			return false
		case clChange, clNew, clMAC:
			// A change already made ("we moved the printer so now
			// nobody can print") is followed by its result, not its goal.
			if !strings.HasSuffix(toks[h.first].word, "ed") {
				changed = true
			}
		}
	}
	return changed
}

// inName reports whether a cue of a class that names an action or a state
// matched inside a company or place name ("Greenfield Architects").
func inName(c *cue, toks []token, pos []int) bool {
	switch c.cls {
	case clInfra, clSchedule, clRequest, clRecurring:
		return false
	}
	for _, p := range pos {
		if toks[p].name {
			return true
		}
	}
	return false
}

// controlHeads are nouns that turn a break/fix word before them into the
// name of a control or a service: "data loss prevention", "failure
// detection", "outage monitoring" name something to set up, not a fault.
var controlHeads = stemList("prevention|protection|detection|monitoring|filtering|reporting|alerting|remediation|simulation|simulations|testing|policy|policies|planning|notification|notifications|handling")

// intentWords right before a break/fix word make it a plan, not a fault:
// "we are considering dropping the old PBX", "contemplating killing the
// VPN". ("plan" is left out: "the DR plan failed" is a fault.)
var intentWords = stemList("considering|consider|contemplating|contemplate|intending|intend")

// phrasalVerbs may sit two words before their particle ("bring costs
// down"); see findCues.
var phrasalVerbs = stemList("shut|slow|scale|cut|turn|wind|knock|bring|take|took|narrow|pare|trim|tone|water|pin|nail|tie|write|wrote|mark|count|close|hand|tear|break|calm|settle|let")

// phrasalBefore reports whether a phrasal verb of c.notPrev sits two or
// three words before token i, with its object in between: "bring costs
// down", "shut the server down", "bring licence spend down".
func phrasalBefore(c *cue, toks []token, i int) bool {
	for k := i - 2; k >= 0 && k >= i-3; k-- {
		if containsStr(phrasalVerbs, toks[k].stem) && containsStr(c.notPrev, toks[k].stem) {
			return true
		}
	}
	return false
}

func stemList(words string) []string {
	if words == "" {
		return nil
	}
	var out []string
	for _, w := range strings.Split(words, "|") {
		out = append(out, stem(w))
	}
	return out
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
