/**
 * Text from people and from the tenant (typed names, display names, rejection reasons) put into
 * markdown. Teams renders markdown in a bot's text messages and in Adaptive Card TextBlocks and
 * facts, so a group named "**Sales** [x](http://evil)" would show bold with a link unless escaped.
 *
 * What Teams renders: in cards bold, italic, lists and links
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format);
 * in text messages also headings, strikethrough, code, block quotes and images
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages).
 * Both follow CommonMark, where a backslash before ASCII punctuation shows it as it is
 * (https://spec.commonmark.org/0.31.2/#backslash-escapes).
 *
 * Escaped anywhere: the characters that open markup wherever they stand (\ * _ ` ~ [ ] < >); with
 * [ and ] escaped, ( ) and ! make no link or image. Escaped at the start of a line only: the
 * markers that mean something only there (# + - = and "1." / "1)" lists), so that a mail address
 * or "E1 → E3 (takes 5)" reads as it did. A bare URL is still made a link by Teams; it shows
 * where it goes.
 */

const ANYWHERE = /[\\*_`~[\]<>]/g;
const LINE_MARKER = /^([ \t]*)([#+\-=])/gm;
const LIST_NUMBER = /^([ \t]*\d+)([.)])/gm;

/** `text` as markdown that shows exactly `text`. */
export function escapeMarkdown(text: string): string {
  return text.replace(ANYWHERE, "\\$&").replace(LINE_MARKER, "$1\\$2").replace(LIST_NUMBER, "$1\\$2");
}
