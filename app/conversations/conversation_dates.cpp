#include "app/conversations/conversation_dates.h"

#include <QCoreApplication>
#include <QLocale>

namespace vora::app {
namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("vora::app::ConversationDates", text);
}

// Whole calendar days between the two local dates (0: the same day); negative for the future.
qint64 daysBetween(const QDateTime& when, const QDateTime& now)
{
    return when.toLocalTime().date().daysTo(now.toLocalTime().date());
}

} // namespace

QString dateGroupLabel(const QDateTime& when, const QDateTime& now)
{
    const qint64 days = daysBetween(when, now);
    if (days <= 0) {
        return tr("Today"); // also clock skew: a time in the future is not "older"
    }
    if (days == 1) {
        return tr("Yesterday");
    }
    if (days <= 7) {
        return tr("Previous 7 days");
    }
    if (days <= 30) {
        return tr("Previous 30 days");
    }
    return QLocale().toString(when.toLocalTime().date(), QStringLiteral("MMMM yyyy"));
}

QString relativeTimeLabel(const QDateTime& when, const QDateTime& now)
{
    const qint64 seconds = when.secsTo(now);
    const qint64 days = daysBetween(when, now);
    if (seconds < 60) {
        return tr("now");
    }
    if (days == 0 && seconds < 3600) {
        return tr("%1 min").arg(seconds / 60);
    }
    if (days == 0) {
        return tr("%1 h").arg(seconds / 3600);
    }
    if (days == 1) {
        return tr("Yesterday");
    }
    const QDate date = when.toLocalTime().date();
    if (days < 7) {
        return QLocale().toString(date, QStringLiteral("ddd"));
    }
    if (date.year() == now.toLocalTime().date().year()) {
        return QLocale().toString(date, QStringLiteral("d MMM"));
    }
    return QLocale().toString(date, QStringLiteral("d MMM yyyy"));
}

} // namespace vora::app
