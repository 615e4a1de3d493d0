#pragma once
// Drives a modal dialog from a test: open() starts it (exec() blocks), inspect() runs once the dialog
// is the active modal widget and must close it.
#include <QApplication>
#include <QElapsedTimer>
#include <QTest>
#include <QTimer>

#include <functional>

namespace vora::tests {

// Returns false when no modal widget appeared within timeoutMs.
inline bool withModal(const std::function<void()>& open, const std::function<void(QWidget* dialog)>& inspect,
                      int timeoutMs = 5000)
{
    bool seen = false;
    QTimer poll;
    poll.setInterval(20);
    QElapsedTimer clock;
    clock.start();
    QObject::connect(&poll, &QTimer::timeout, [&] {
        if (QWidget* modal = QApplication::activeModalWidget()) {
            poll.stop();
            seen = true;
            inspect(modal);
        } else if (clock.elapsed() > timeoutMs) {
            poll.stop();
        }
    });
    poll.start();
    open();
    poll.stop();
    return seen;
}

} // namespace vora::tests
