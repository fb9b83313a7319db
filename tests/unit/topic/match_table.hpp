// The table of spec match cases shared by the matcher and the index tests.
#pragma once

namespace gridmq::topic::test {

struct match_row {
  const char* filter;
  const char* topic;
  bool match;
  const char* rule;
};

// Every row is checked against matches() and against subscription_index.
inline constexpr match_row match_rows[] = {
    // 4.7.1.2 multi-level wildcard.
    {"sport/tennis/player1/#", "sport/tennis/player1", true, "4.7.1.2 parent level"},
    {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true, "4.7.1.2"},
    {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true, "4.7.1.2"},
    {"sport/tennis/player1/#", "sport/tennis/player2", false, "4.7.1.2"},
    {"sport/#", "sport", true, "[MQTT-4.7.1-2] '#' includes the parent"},
    {"sport/#", "sport/", true, "empty child level"},
    {"sport/#", "sports", false, "levels are whole strings"},
    {"#", "sport/tennis", true, "4.7.1.2 '#' receives everything"},
    {"#", "/", true, "'#' and empty levels"},
    {"#", "a", true, "'#' single level"},
    // 4.7.1.3 single-level wildcard.
    {"sport/tennis/+", "sport/tennis/player1", true, "4.7.1.3"},
    {"sport/tennis/+", "sport/tennis/player2", true, "4.7.1.3"},
    {"sport/tennis/+", "sport/tennis/player1/ranking", false, "4.7.1.3 one level only"},
    {"sport/+", "sport", false, "4.7.1.3 '+' needs a level"},
    {"sport/+", "sport/", true, "4.7.1.3 '+' matches an empty level"},
    {"+/+", "/finance", true, "4.7.1.3"},
    {"/+", "/finance", true, "4.7.1.3"},
    {"+", "/finance", false, "4.7.1.3"},
    {"+", "finance", true, "4.7.1.3"},
    {"+/tennis/#", "sport/tennis/player1", true, "4.7.1.3"},
    {"+/tennis/#", "sport/tennis", true, "'+' then '#' parent"},
    {"sport/+/player1", "sport/tennis/player1", true, "4.7.1.3"},
    {"+/+/+", "a//c", true, "'+' matches the empty middle level"},
    {"a/+/#", "a", false, "'+' needs a level before '#'"},
    {"a/+/#", "a/b", true, "'#' parent after '+'"},
    // 4.7.2 topics beginning with $.
    {"#", "$SYS/monitor/Clients", false, "[MQTT-4.7.2-1]"},
    {"+/monitor/Clients", "$SYS/monitor/Clients", false, "[MQTT-4.7.2-1]"},
    {"+", "$SYS", false, "[MQTT-4.7.2-1]"},
    {"$SYS/#", "$SYS/monitor/Clients", true, "4.7.2"},
    {"$SYS/#", "$SYS", true, "4.7.2 with parent level"},
    {"$SYS/monitor/+", "$SYS/monitor/Clients", true, "4.7.2"},
    {"$SYS/+/Clients", "$SYS/monitor/Clients", true, "wildcard after the $ level"},
    {"a/#", "a/$SYS", true, "the $ rule is for the first level only"},
    {"a/+", "a/$x", true, "the $ rule is for the first level only"},
    // 4.7.3 semantics: no normalisation, case-sensitive.
    {"ACCOUNTS", "Accounts", false, "[MQTT-4.7.3-4] case-sensitive"},
    {"Accounts payable", "Accounts payable", true, "4.7.3 spaces"},
    {"/finance", "finance", false, "4.7.3 leading '/' is a level"},
    {"finance/", "finance", false, "trailing '/' is a level"},
    {"a//b", "a/b", false, "[MQTT-4.7.3-4] no normalisation of empty levels"},
    {"caf\xc3\xa9", "cafe\xcc\x81", false, "[MQTT-4.7.3-4] no Unicode normalisation"},
    {"a/b", "a/b", true, "exact"},
    {"a/b", "a/b/c", false, "longer topic"},
    {"a/b/c", "a/b", false, "shorter topic"},
};

}  // namespace gridmq::topic::test
