#pragma once
// The screenshot tools' one way to save a widget: let pending paints and animations settle, grab, save, and
// say which file was written (or not).
#include <QApplication>
#include <QString>
#include <QTest>
#include <QWidget>

namespace vora::testing {

inline bool saveGrab(QWidget* widget, const QString& path, int settleMs)
{
    QApplication::processEvents();
    QTest::qWait(settleMs);
    const bool ok = widget->grab().save(path);
    qInfo("%s %s", ok ? "saved" : "FAILED", qPrintable(path));
    return ok;
}

} // namespace vora::testing
