package commands

import "github.com/mspbot/mspbot/bot"

// The table entries of commands whose handler reads its own words: declared
// here so the Router, /help and Discord's typed options see their
// subcommands and arguments, while the handlers stay as they are.

// classifyTable: /classify rules, retrain and forget, and trying a text.
func classifyTable(c bot.Command) bot.Command {
	c.Args = []bot.Arg{{Name: "client", Kind: bot.ArgClient, Flag: true, Help: "try it with this client's contract"},
		{Name: "text", Kind: bot.ArgText, Required: true, Help: "a request text to classify"}}
	return passOn(c,
		bot.Subcommand{Name: "rules", Usage: "/classify rules [page 2]", Summary: "what overrides taught the classifier", MinRole: bot.RoleCoordinator,
			Args: []bot.Arg{{Name: "page", Kind: bot.ArgNumber, Keyword: true, Help: "page of 25 (the reply says how many there are)"}}},
		bot.Subcommand{Name: "retrain", Usage: "/classify retrain", Summary: "refit the workspace's model on the overrides", MinRole: bot.RoleCoordinator},
		bot.Subcommand{Name: "forget", Usage: "/classify forget 1001", Summary: "undo what one override taught", MinRole: bot.RoleCoordinator,
			Args: []bot.Arg{{Name: "number", Kind: bot.ArgRequest, Required: true, Help: "the request that was overridden"}}})
}

// lessonsTable: /lessons add and search.
func lessonsTable(c bot.Command) bot.Command {
	return passOn(c,
		bot.Subcommand{Name: "add", Usage: `/lessons add P12 "what went well" "what to do differently"`, Summary: "record what a project taught you",
			MinRole: c.MinRole, Args: []bot.Arg{{Name: "project", Kind: bot.ArgProject, Required: true, Help: "the project, e.g. P12"},
				{Name: "went-well", Kind: bot.ArgText, Required: true, Quoted: true, Help: "what went well"},
				{Name: "differently", Kind: bot.ArgText, Required: true, Quoted: true, Help: "what to do differently"}}},
		bot.Subcommand{Name: "search", Usage: "/lessons search <words>", Summary: "find what past projects taught", MinRole: c.MinRole,
			Args: []bot.Arg{{Name: "words", Kind: bot.ArgText, Required: true, Help: "what to look for, e.g. vpn migration"},
				{Name: "page", Kind: bot.ArgNumber, Keyword: true, Help: "page of 25"}}})
}
