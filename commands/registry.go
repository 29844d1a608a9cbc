package commands

import (
	"log/slog"

	"github.com/mspbot/mspbot/bot"
)

// List returns every command, explicitly: adding a command is one line here.
func List(d Deps) []bot.Command {
	var cmds []bot.Command
	cmds = []bot.Command{
		requestCommand(d),
		requestsCommand(d),
		homeCommand(d),
		rateCommand(d),
		reclassifyCommand(d),
		roleCommand(d),
		mspbotCommand(d),
		timeCommand(d),
		timerCommand(d),
		hoursCommand(d),
		awayCommand(d),
		backCommand(d),
		snoozeCommand(d),
		managerCommand(d),
		teamTable(teamCommand(d)),
		clientTable(d, clientCommand(d)),
		digestCommand(d),
		classifyTable(classifyCommand(d)),
		contractCommand(d),
		projectCommand(d),
		lessonsTable(lessonsCommand(d)),
		commentCommand(d),
		suggestCommand(d),
		helpCommand(func() []bot.Command { return cmds }),
	}
	return cmds
}

// NewRouter builds the router over every command, identifying callers through
// a Directory on the same store.
func NewRouter(d Deps, observe bot.Observer) *bot.Router {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = bot.SystemClock{}
	}
	return bot.NewRouter(List(d), NewDirectoryFor(d), d.Log, observe)
}
