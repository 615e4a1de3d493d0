#pragma once
// A form generated from `vora train`'s option catalog: one editor per chosen flag, of the option's
// type (spin box with its range, choice box, check box, line edit), its help as the tooltip. The form
// keeps no option knowledge of its own. GUI thread.
#include "app/finetune/train_option_catalog.h"

#include <QJsonObject>
#include <QMap>
#include <QWidget>

namespace vora::ui {

class OptionForm : public QWidget {
    Q_OBJECT
public:
    // flags: the options shown, in this order; unknown flags are left out.
    OptionForm(const vora::app::TrainOptionCatalog& catalog, const QStringList& flags, QWidget* parent = nullptr);

    QJsonObject values() const; // flag -> value of every editor
    void setValues(const QJsonObject& values); // flags not in the form are ignored
    QWidget* editor(const QString& flag) const { return m_editors.value(flag); }

Q_SIGNALS:
    void changed();

private:
    QJsonValue valueOf(const vora::app::TrainOptionInfo& option, QWidget* editor) const;
    void setValueOf(const vora::app::TrainOptionInfo& option, QWidget* editor, const QJsonValue& value);

    const vora::app::TrainOptionCatalog& m_catalog;
    QMap<QString, QWidget*> m_editors;
    bool m_setting = false;
};

} // namespace vora::ui
