site-name = Pactum
skip-to-content = انتقل إلى المحتوى
language = اللغة
language-choose = اختر اللغة
sign-out = تسجيل الخروج
signed-in-as = تم تسجيل الدخول باسم { $name }

sign-in-title = تسجيل الدخول
sign-in-intro = سجّل الدخول باستخدام بريدك الإلكتروني وكلمة المرور.
field-email = البريد الإلكتروني
field-password = كلمة المرور
sign-in-button = تسجيل الدخول
sign-in-failed = البريد الإلكتروني وكلمة المرور غير متطابقين. تحقق منهما وحاول مرة أخرى.
sign-in-too-many = محاولات كثيرة جدًا. انتظر ربع ساعة ثم حاول مرة أخرى.
email-missing = أدخل بريدك الإلكتروني، مثل name@example.nl.
password-missing = أدخل كلمة المرور.
errors-title = حدث خطأ ما
signed-out = لقد سجّلت الخروج.

home-title = Pactum الخاص بي
home-greeting = مرحبًا { $name }
home-organisations = الجهات التي تنتمي إليها
home-nothing = أنت لا تنتمي بعد إلى بلدية أو شبكة. اطلب دعوة من منسق شبكتك.
role-municipal_admin = مدير
role-officer = موظف
role-finance = المالية
role-auditor = مدقق
role-coordinator = منسق
role-treasurer = أمين الصندوق
role-member = عضو

error-title = لم ينجح ذلك
error-csrf = انتهت صلاحية هذا النموذج. ارجع وأعد تحميل الصفحة وحاول مرة أخرى.
error-not-found = هذه الصفحة غير موجودة، أو لا يُسمح لك برؤيتها.

forgot-link = هل نسيت كلمة المرور؟
forgot-title = نسيت كلمة المرور
forgot-intro = أدخل بريدك الإلكتروني. إذا كان له حساب، نرسل لك رابطًا لاختيار كلمة مرور جديدة. يعمل الرابط لمدة ساعة واحدة.
forgot-button = أرسل الرابط
forgot-sent-title = تحقق من بريدك الإلكتروني
forgot-sent = إذا كان لهذا البريد الإلكتروني حساب، فستجد الآن رسالة فيها رابط في صندوق الوارد. لم تصلك رسالة؟ تحقق من مجلد الرسائل غير المرغوب فيها أيضًا.
reset-title = اختر كلمة مرور جديدة
reset-intro = اختر كلمة مرور من 12 حرفًا على الأقل. بعد ذلك تسجّل الدخول من جديد في كل مكان.
field-new-password = كلمة المرور الجديدة
reset-button = احفظ كلمة المرور
reset-done-title = تم تغيير كلمة المرور
reset-done = سجّل الدخول بكلمة المرور الجديدة.
reset-unusable = هذا الرابط لم يعد يعمل: تم استخدامه أو انتهت صلاحيته. اطلب رابطًا جديدًا.
password-too-short = اختر كلمة مرور من 12 حرفًا على الأقل.
go-sign-in = انتقل إلى تسجيل الدخول

invitation-title = دعوة إلى { $organisation }
invitation-intro = تدعوك { $organisation } للانضمام إلى Pactum بصفة { $role }. أنشئ حسابك: اختر كلمة مرور.
invitation-account-intro = تدعوك { $organisation } للانضمام إلى Pactum بصفة { $role }. لديك حساب بالفعل لـ { $email }.
invitation-sign-in-first = سجّل الدخول بهذا الحساب أولًا. بعد ذلك يمكنك قبول الدعوة.
invitation-other-account = أنت مسجّل الدخول بحساب آخر. سجّل الخروج ثم سجّل الدخول بحساب { $email }.
field-name = اسمك
field-choose-password = اختر كلمة مرور (12 حرفًا على الأقل)
consent-label = لقد قرأت بيان الخصوصية وأوافق عليه.
consent-missing = أكّد أنك قرأت بيان الخصوصية.
name-missing = أدخل اسمك.
privacy-link = اقرأ بيان الخصوصية
invitation-accept = قبول الدعوة
invitation-unusable = هذه الدعوة لم تعد تعمل: تم استخدامها أو انتهت صلاحيتها. اطلب دعوة جديدة من الشخص الذي دعاك.
privacy-title = بيان الخصوصية
privacy-text = يحتفظ Pactum باسمك وبريدك الإلكتروني ودورك في شبكتك أو بلديتك، حتى تتمكنوا معًا من متابعة اتفاقياتكم ومنحكم. لا يرى هذه البيانات إلا أفراد شبكتك والبلديات التي تتعاون معها شبكتك. تُحفظ كلمة المرور مشفّرة فقط. هل تريد الاطلاع على بياناتك أو حذفها؟ اسأل منسق شبكتك أو البلدية.

contact-title = تأكيد عنوان البريد الإلكتروني
contact-intro = أكّد أن الرسائل الموجهة إلى { $network } عبر القائمة العامة للشبكات يمكن أن تصل إلى هذا العنوان.
contact-button = تأكيد العنوان
contact-done-title = تم تأكيد العنوان
contact-done = شكرًا. يمكن لـ { $network } الآن تلقي الرسائل عبر القائمة العامة للشبكات.
contact-unusable = هذا الرابط لم يعد يعمل: تم استخدامه أو انتهت صلاحيته. اطلب رابطًا جديدًا من منسق الشبكة.

change-password-link = تغيير كلمة المرور
change-password-title = تغيير كلمة المرور
change-password-intro = أدخل كلمة المرور الحالية واختر كلمة مرور جديدة من 12 حرفًا على الأقل. بعد ذلك تسجّل الدخول من جديد على الأجهزة الأخرى.
field-current-password = كلمة المرور الحالية
change-password-button = تغيير كلمة المرور
wrong-current-password = كلمة المرور الحالية غير صحيحة.
change-password-done = تم تغيير كلمة المرور. تم تسجيل خروجك من الأجهزة الأخرى.
go-home = انتقل إلى Pactum الخاص بي

month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر

optional = اختياري
