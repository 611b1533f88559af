"""The default wording of every kind of notice, in English and Spanish.

Installed per court by `filings.notices.notice_templates_install_defaults` (the
demo seeder does it for the demo courts); a court then edits its own in admin,
each change a new version. The names a template may use are documented in
`filings.models.notices` (COMMON_FIELDS, KIND_FIELDS).

Plain text: a blank line starts a paragraph, a single line break stays a line
break. The PDF layout prints the court's letterhead, the caption, the case number,
the recipient's name and address, the date and the title (the subject) around it.
"""

from __future__ import annotations

from .models.notices import NoticeKind

_ADA_EN = (
    "If you are a person with a disability who needs an accommodation in order to take "
    "part in this proceeding, you are entitled, at no cost to you, to certain assistance. "
    "Please contact the court at {{ court_phone }} at least 7 days before your scheduled "
    "court appearance, or immediately upon receiving this notice if the time before the "
    "scheduled appearance is less than 7 days. If you are hearing or voice impaired, call 711."
)
_ADA_ES = (
    "Si usted es una persona con una discapacidad que necesita algún acomodo para poder "
    "participar en este procedimiento, tiene derecho, sin costo alguno para usted, a que se "
    "le provea cierta ayuda. Comuníquese con el tribunal al {{ court_phone }} por lo menos "
    "7 días antes de la fecha programada para su comparecencia, o inmediatamente después de "
    "recibir este aviso si faltan menos de 7 días. Si tiene una discapacidad auditiva o del "
    "habla, llame al 711."
)
_INTERPRETER_EN = (
    "If you need an interpreter, tell the clerk's office at {{ court_phone }} as soon as "
    "possible. An interpreter will be provided at no cost to you."
)
_INTERPRETER_ES = (
    "Si necesita un intérprete, avise a la secretaría del tribunal al {{ court_phone }} lo "
    "antes posible. El servicio de intérprete es gratuito."
)

# (kind, language) -> (subject, body)
DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    (NoticeKind.HEARING_NOTICE, "en"): (
        "Notice of Hearing — {{ hearing_type }}",
        "YOU ARE HEREBY NOTIFIED that the following hearing has been set in this case:\n"
        "\n"
        "Hearing: {{ hearing_type }}\n"
        "Date: {{ hearing_date }}\n"
        "Time: {{ hearing_time }}\n"
        "Place: {{ courtroom }}, {% firstof location court_address %}"
        "{% if judge_name %}\nJudge: {{ judge_name }}{% endif %}\n"
        "\n"
        "Please arrive at least 15 minutes before the time set and bring this notice and a "
        "photo identification with you. If you are required to appear and do not, the court "
        "may proceed in your absence, and in a criminal case a warrant may be issued for the "
        "defendant's arrest.\n"
        "\n" + _INTERPRETER_EN + "\n\n" + _ADA_EN,
    ),
    (NoticeKind.HEARING_NOTICE, "es"): (
        "Aviso de audiencia — {{ hearing_type }}",
        "POR MEDIO DE LA PRESENTE SE LE NOTIFICA que se ha programado la siguiente audiencia "
        "en este caso:\n"
        "\n"
        "Audiencia: {{ hearing_type }}\n"
        "Fecha: {{ hearing_date }}\n"
        "Hora: {{ hearing_time }}\n"
        "Lugar: {{ courtroom }}, {% firstof location court_address %}"
        "{% if judge_name %}\nJuez(a): {{ judge_name }}{% endif %}\n"
        "\n"
        "Preséntese por lo menos 15 minutos antes de la hora indicada y traiga consigo este "
        "aviso y una identificación con fotografía. Si usted está obligado a comparecer y no "
        "lo hace, el tribunal podrá proceder en su ausencia y, en un caso penal, podrá "
        "dictarse una orden de arresto contra el acusado.\n"
        "\n" + _INTERPRETER_ES + "\n\n" + _ADA_ES,
    ),
    (NoticeKind.HEARING_CANCELLED, "en"): (
        "Notice of Cancelled Hearing — {{ hearing_type }}",
        "YOU ARE HEREBY NOTIFIED that the following hearing in this case will NOT take place "
        "as set:\n"
        "\n"
        "Hearing: {{ hearing_type }}\n"
        "Date: {{ hearing_date }}\n"
        "Time: {{ hearing_time }}\n"
        "Place: {{ courtroom }}"
        "{% if reason %}\nReason: {{ reason }}{% endif %}\n"
        "\n"
        "Do not come to court for this hearing. If the hearing is set again, you will "
        "receive a new notice of hearing. Any other date in this case stays as set.\n"
        "\n"
        "If you have questions, call the clerk's office at {{ court_phone }}.",
    ),
    (NoticeKind.HEARING_CANCELLED, "es"): (
        "Aviso de audiencia cancelada — {{ hearing_type }}",
        "POR MEDIO DE LA PRESENTE SE LE NOTIFICA que la siguiente audiencia de este caso NO "
        "se llevará a cabo en la fecha programada:\n"
        "\n"
        "Audiencia: {{ hearing_type }}\n"
        "Fecha: {{ hearing_date }}\n"
        "Hora: {{ hearing_time }}\n"
        "Lugar: {{ courtroom }}"
        "{% if reason %}\nMotivo: {{ reason }}{% endif %}\n"
        "\n"
        "No se presente al tribunal para esta audiencia. Si la audiencia se vuelve a "
        "programar, recibirá un nuevo aviso de audiencia. Las demás fechas de este caso se "
        "mantienen.\n"
        "\n"
        "Si tiene preguntas, llame a la secretaría del tribunal al {{ court_phone }}.",
    ),
    (NoticeKind.SUMMONS, "en"): (
        "Summons",
        "TO: {{ recipient_name }}\n"
        "\n"
        "A lawsuit has been filed against you in the {{ court_name }}, case number "
        "{{ case_number }}, {{ caption }}.\n"
        "\n"
        "You have {{ response_days }} calendar days after this summons is served on you to "
        "file a written response to the complaint or petition with the clerk of this court. "
        "A telephone call will not protect you. Your written response, including the case "
        "number given above and the names of the parties, must be filed if you want the court "
        "to hear your side of the case. If you do not file your response on time, you may "
        "lose the case, and your wages, money, and property may thereafter be taken without "
        "further warning from the court.\n"
        "\n"
        "There are other legal requirements. You may want to call an attorney right away. If "
        "you do not know an attorney, you may call an attorney referral service or a legal "
        "aid office.\n"
        "\n"
        "If you choose to file a written response yourself, at the same time you file it with "
        "the court you must also mail or deliver a copy of it to the plaintiff or the "
        "plaintiff's attorney.\n"
        "\n"
        "Clerk of the Court\n"
        "{{ court_name }}\n"
        "{{ court_address }}\n"
        "{{ court_phone }}\n"
        "\n" + _ADA_EN,
    ),
    (NoticeKind.SUMMONS, "es"): (
        "Citación",
        "A: {{ recipient_name }}\n"
        "\n"
        "Se ha presentado una demanda en su contra ante el tribunal {{ court_name }}, caso "
        "número {{ case_number }}, {{ caption }}.\n"
        "\n"
        "Usted tiene {{ response_days }} días calendario, contados a partir de la fecha en que "
        "se le entregue esta citación, para presentar por escrito su respuesta a la demanda o "
        "petición ante la secretaría de este tribunal. Una llamada telefónica no lo protegerá. "
        "Si desea que el tribunal considere su defensa, debe presentar su respuesta por "
        "escrito, con el número de caso indicado arriba y los nombres de las partes. Si no "
        "presenta su respuesta a tiempo, podría perder el caso, y podrían embargarse sus "
        "salarios, su dinero y sus bienes sin previo aviso del tribunal.\n"
        "\n"
        "Existen otros requisitos legales. Si lo desea, puede consultar a un abogado de "
        "inmediato. Si no conoce a ningún abogado, puede llamar a un servicio de referencia "
        "de abogados o a una oficina de asistencia legal.\n"
        "\n"
        "Si decide presentar su respuesta por su cuenta, al mismo tiempo que la presente ante "
        "el tribunal deberá enviar por correo o entregar una copia de la misma al demandante "
        "o a su abogado.\n"
        "\n"
        "Secretaría del Tribunal\n"
        "{{ court_name }}\n"
        "{{ court_address }}\n"
        "{{ court_phone }}\n"
        "\n" + _ADA_ES,
    ),
    (NoticeKind.FAILURE_TO_APPEAR, "en"): (
        "Notice of Failure to Appear",
        "The records of the court show that you did not appear for the {{ missed_hearing }} "
        "in this case on {{ missed_date }}.\n"
        "\n"
        "You must contact the clerk's office at {{ court_phone }}, or come to the clerk's "
        "office at the address above, no later than {{ respond_by }}.\n"
        "\n"
        "If you do not, the court may take further action without further notice to you. "
        "That action may include issuing a warrant for your arrest, entering a default or a "
        "judgment against you and, in a traffic case, notifying the state motor vehicle "
        "agency to suspend your driving privilege.\n"
        "\n" + _INTERPRETER_EN,
    ),
    (NoticeKind.FAILURE_TO_APPEAR, "es"): (
        "Aviso de incomparecencia",
        "Los registros del tribunal indican que usted no compareció a la audiencia "
        "({{ missed_hearing }}) de este caso programada para el {{ missed_date }}.\n"
        "\n"
        "Debe comunicarse con la secretaría del tribunal al {{ court_phone }}, o acudir a la "
        "secretaría en la dirección indicada arriba, a más tardar el {{ respond_by }}.\n"
        "\n"
        "Si no lo hace, el tribunal podrá tomar otras medidas sin necesidad de avisarle de "
        "nuevo, entre ellas dictar una orden de arresto en su contra, declararlo en rebeldía "
        "o dictar sentencia en su contra y, en un caso de tránsito, notificar a la agencia "
        "estatal de vehículos motorizados para que suspenda su licencia de conducir.\n"
        "\n" + _INTERPRETER_ES,
    ),
    (NoticeKind.PAYMENT_REMINDER, "en"): (
        "Payment Reminder — Case {{ case_number }}",
        "This is a reminder that a payment of {{ amount_due }} is due in this case on "
        "{{ due_date }}.\n"
        "\n"
        "You may pay in person at the clerk's office at the address above or by mail. Make "
        "checks and money orders payable to the Clerk of Court and write the case number on "
        "them. Do not send cash by mail.\n"
        "\n"
        "If you cannot pay the full amount, call the clerk's office at {{ court_phone }} "
        "before the due date to ask about a payment plan. An amount not paid when due may be "
        "referred for collection with added fees and, in some cases, may lead to the "
        "suspension of your driver license.\n"
        "\n"
        "If you have already made this payment, please disregard this notice.",
    ),
    (NoticeKind.PAYMENT_REMINDER, "es"): (
        "Recordatorio de pago — Caso {{ case_number }}",
        "Le recordamos que el {{ due_date }} vence un pago de {{ amount_due }} en este caso.\n"
        "\n"
        "Puede pagar en persona en la secretaría del tribunal, en la dirección indicada "
        "arriba, o por correo. Los cheques y giros postales deben hacerse a nombre del Clerk "
        "of Court (Secretario del Tribunal) e indicar el número de caso. No envíe dinero en "
        "efectivo por correo.\n"
        "\n"
        "Si no puede pagar la cantidad completa, llame a la secretaría del tribunal al "
        "{{ court_phone }} antes de la fecha de vencimiento para preguntar por un plan de "
        "pagos. Una cantidad que no se pague a tiempo podrá remitirse a una agencia de "
        "cobranza con cargos adicionales y, en algunos casos, dar lugar a la suspensión de su "
        "licencia de conducir.\n"
        "\n"
        "Si ya realizó este pago, no tome en cuenta este aviso.",
    ),
    (NoticeKind.PROGRAM_NONCOMPLIANCE, "en"): (
        "Notice of Non-Compliance — {{ program_name }}",
        "Our records show that you have not complied with the following requirement of the "
        "{{ program_name }}:\n"
        "\n"
        "{{ requirement }}\n"
        "\n"
        "You must contact the program office or the clerk's office at {{ court_phone }} no "
        "later than {{ respond_by }} to show that you have complied or to explain why you "
        "have not.\n"
        "\n"
        "If you do not, you may be terminated from the program, and your case may be "
        "returned to the court's regular calendar for further proceedings.\n"
        "\n" + _INTERPRETER_EN,
    ),
    (NoticeKind.PROGRAM_NONCOMPLIANCE, "es"): (
        "Aviso de incumplimiento — {{ program_name }}",
        "Nuestros registros indican que usted no ha cumplido con el siguiente requisito del "
        "programa {{ program_name }}:\n"
        "\n"
        "{{ requirement }}\n"
        "\n"
        "Debe comunicarse con la oficina del programa o con la secretaría del tribunal al "
        "{{ court_phone }} a más tardar el {{ respond_by }} para demostrar que ha cumplido o "
        "para explicar por qué no lo ha hecho.\n"
        "\n"
        "Si no lo hace, podrá ser dado de baja del programa y su caso podrá volver al "
        "calendario ordinario del tribunal para continuar con el procedimiento.\n"
        "\n" + _INTERPRETER_ES,
    ),
    (NoticeKind.ORDER, "en"): (
        "{{ order_title }}",
        "THIS CAUSE came before the Court, and the Court, having reviewed the file and being "
        "otherwise fully advised, it is\n"
        "\n"
        "ORDERED AND ADJUDGED:\n"
        "\n"
        "{{ order_text }}\n"
        "\n"
        "DONE AND ORDERED at the {{ court_name }} on {{ ordered_on }}.\n"
        "\n"
        "{{ judge_name }}\n"
        "Judge\n"
        "\n"
        "Copy furnished to: {{ recipient_name }}",
    ),
    (NoticeKind.ORDER, "es"): (
        "{{ order_title }}",
        "Esta es una copia de cortesía de una orden del tribunal. La versión oficial es la "
        "que consta en el expediente en inglés.\n"
        "\n"
        "El tribunal, habiendo examinado el expediente y estando debidamente informado, "
        "ORDENA Y RESUELVE:\n"
        "\n"
        "{{ order_text }}\n"
        "\n"
        "DADO Y ORDENADO en el tribunal {{ court_name }} el {{ ordered_on }}.\n"
        "\n"
        "{{ judge_name }}\n"
        "Juez(a)\n"
        "\n"
        "Copia a: {{ recipient_name }}",
    ),
}
