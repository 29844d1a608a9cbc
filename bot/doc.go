// Package bot is mspbot's platform-neutral core: the domain types (people, roles,
// requests), the Event a platform adapter produces, the Message a command returns,
// the Router that maps commands to handlers and checks roles in one place, and the
// one error path that turns any error into a polite reply. It imports no platform
// SDK and no database driver, so every command works on Slack, Discord and the
// console alike.
package bot
