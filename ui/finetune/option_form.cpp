#include "ui/finetune/option_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

#include <algorithm>
#include <limits>

namespace vora::ui {

using vora::app::TrainOptionInfo;

namespace {

QString labelOf(const QString& flag)
{
    QString label = flag;
    label.replace(QLatin1Char('-'), QLatin1Char(' '));
    label[0] = label[0].toUpper();
    return label;
}

} // namespace

OptionForm::OptionForm(const vora::app::TrainOptionCatalog& catalog, const QStringList& flags, QWidget* parent)
    : QWidget(parent)
    , m_catalog(catalog)
{
    auto* layout = new QFormLayout(this);
    layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const auto notify = [this] {
        if (!m_setting) {
            Q_EMIT changed();
        }
    };
    for (const QString& flag : flags) {
        const TrainOptionInfo* option = catalog.find(flag);
        if (!option) {
            continue;
        }
        QWidget* editor = nullptr;
        if (option->type == QLatin1String("integer")) {
            auto* spin = new QSpinBox(this);
            // QSpinBox holds an int: a wider range (max-steps allows 10^12) is cut to what it can show.
            const double intMax = std::numeric_limits<int>::max();
            const double low = std::min(option->min.value_or(0) + (option->minExclusive ? 1 : 0), intMax);
            spin->setRange(static_cast<int>(low), static_cast<int>(std::min(option->max.value_or(intMax), intMax)));
            connect(spin, &QSpinBox::valueChanged, this, notify);
            editor = spin;
        } else if (option->type == QLatin1String("number")) {
            auto* spin = new QDoubleSpinBox(this);
            spin->setDecimals(6);
            spin->setRange(option->min.value_or(0), option->max.value_or(1e9));
            spin->setSingleStep(flag == QLatin1String("lr") ? 1e-5 : 0.1);
            connect(spin, &QDoubleSpinBox::valueChanged, this, notify);
            editor = spin;
        } else if (option->type == QLatin1String("choice")) {
            auto* box = new QComboBox(this);
            box->addItems(option->choices);
            connect(box, &QComboBox::currentIndexChanged, this, notify);
            editor = box;
        } else if (option->type == QLatin1String("switch")) {
            auto* box = new QCheckBox(this);
            connect(box, &QCheckBox::toggled, this, notify);
            editor = box;
        } else {
            auto* line = new QLineEdit(this);
            connect(line, &QLineEdit::textChanged, this, notify);
            editor = line;
        }
        editor->setObjectName(flag);
        editor->setToolTip(QStringLiteral("--%1: %2").arg(flag, option->help));
        setValueOf(*option, editor, option->defaultValue);
        layout->addRow(labelOf(flag), editor);
        m_editors.insert(flag, editor);
    }
}

QJsonValue OptionForm::valueOf(const TrainOptionInfo&, QWidget* editor) const
{
    if (auto* spin = qobject_cast<QSpinBox*>(editor)) {
        return spin->value();
    }
    if (auto* spin = qobject_cast<QDoubleSpinBox*>(editor)) {
        return spin->value();
    }
    if (auto* box = qobject_cast<QComboBox*>(editor)) {
        return box->currentText();
    }
    if (auto* box = qobject_cast<QCheckBox*>(editor)) {
        return box->isChecked();
    }
    // Empty: not given (the trainer's default; an empty path is no path).
    const QString text = qobject_cast<QLineEdit*>(editor)->text().trimmed();
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

void OptionForm::setValueOf(const TrainOptionInfo&, QWidget* editor, const QJsonValue& value)
{
    if (auto* integer = qobject_cast<QSpinBox*>(editor)) {
        integer->setValue(value.toInt(integer->minimum()));
    } else if (auto* number = qobject_cast<QDoubleSpinBox*>(editor)) {
        number->setValue(value.toDouble());
    } else if (auto* choice = qobject_cast<QComboBox*>(editor)) {
        choice->setCurrentText(value.toString());
    } else if (auto* onOff = qobject_cast<QCheckBox*>(editor)) {
        onOff->setChecked(value.toBool());
    } else {
        qobject_cast<QLineEdit*>(editor)->setText(value.toString());
    }
}

QJsonObject OptionForm::values() const
{
    QJsonObject values;
    for (auto it = m_editors.begin(); it != m_editors.end(); ++it) {
        const QJsonValue value = valueOf(*m_catalog.find(it.key()), it.value());
        if (!value.isNull()) {
            values.insert(it.key(), value);
        }
    }
    return values;
}

void OptionForm::setValues(const QJsonObject& values)
{
    m_setting = true;
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (QWidget* editor = m_editors.value(it.key())) {
            setValueOf(*m_catalog.find(it.key()), editor, it.value());
        }
    }
    m_setting = false;
    Q_EMIT changed();
}

} // namespace vora::ui
