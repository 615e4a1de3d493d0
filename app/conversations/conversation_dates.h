#pragma once
// How the sidebar speaks of a conversation's last activity: the date group it is listed under
// ("Today", "Yesterday", "Previous 7 days", "Previous 30 days", then "March 2026" per month) and a
// short relative time ("now", "5 min", "3 h", "Yesterday", "Mon", "12 Mar", "12 Mar 2024"). Local time,
// relative to now (a parameter, so tests fix it). Any thread.
#include <QDateTime>
#include <QString>

namespace vora::app {

QString dateGroupLabel(const QDateTime& when, const QDateTime& now);
QString relativeTimeLabel(const QDateTime& when, const QDateTime& now);

} // namespace vora::app
