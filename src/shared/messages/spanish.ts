import type { ArgumentProblem, MessageTexts, WriteOnlyHoldReason } from './codes'

const SAFE_OFFLINE = 'se trabaja sin conexión y los pasos están a salvo aquí.'
const AFTER_UPLOAD =
  'aquí después de la subida (RUFUS Cloud conserva el original; la exportación lleva la corrección)'

/** Seconds with one decimal, written the Spanish way (3,5). */
function seconds1(ms: number): string {
  return (ms / 1000).toFixed(1).replace('.', ',')
}

function argumentProblem(problem: ArgumentProblem): string {
  switch (problem.kind) {
    case 'too-short':
      return problem.min <= 1 ? 'no puede estar vacío' : `al menos ${problem.min} caracteres`
    case 'too-long':
      return `como máximo ${problem.max} caracteres`
    case 'too-small':
      return `como mínimo ${problem.min}`
    case 'too-large':
      return `como máximo ${problem.max}`
    case 'not-a-web-address':
      return 'debe ser una dirección web (http o https)'
    case 'not-one-of':
      return `debe ser uno de estos: ${problem.values.join(', ')}`
    case 'wrong-kind':
      return 'no es un valor del tipo que admite'
  }
}

/** Spanish, as a timer at a Spanish-speaking finish line reads it (usted). */
export const SPANISH = {
  'cloud.not-found': p => `RUFUS Cloud responde: ${p.description ?? 'no encontrado'}.`,
  'cloud.key-refused': () =>
    'RUFUS Cloud rechazó la clave de la API: está revocada, mal escrita o no tiene el permiso que esto requiere. Revise la clave y su tipo de acceso en RUFUS Cloud.',
  'cloud.bad-request': p =>
    `RUFUS Cloud rechazó la petición por no ser válida: ${p.description ?? 'sin motivo indicado'}.`,
  'cloud.conflict': p => `RUFUS Cloud indica un conflicto: ${p.description ?? 'el recurso ya existe'}.`,
  'cloud.too-large': () =>
    'A RUFUS Cloud el envío le resultó demasiado grande; se mandará en lotes más pequeños.',
  'cloud.rate-limited': p => `RUFUS Cloud pide bajar el ritmo; nuevo intento dentro de ${p.seconds} s.`,
  'cloud.server-problem': p =>
    `RUFUS Cloud tuvo un problema interno (HTTP ${p.status ?? '5xx'}); los pasos están a salvo aquí y se volverá a intentar.`,
  'cloud.not-on-network': () =>
    `No se encuentra RUFUS Cloud en la red (sin internet o sin DNS); ${SAFE_OFFLINE}`,
  'cloud.connection-refused': () =>
    `RUFUS Cloud rechazó la conexión (dirección equivocada o servidor caído); ${SAFE_OFFLINE}`,
  'cloud.connection-failed': () => `Falló la conexión con RUFUS Cloud; ${SAFE_OFFLINE}`,
  'cloud.timeout': () =>
    'RUFUS Cloud no respondió a tiempo; los pasos están a salvo aquí y se volverá a intentar.',
  'cloud.unexpected-answer': () =>
    'RUFUS Cloud respondió algo inesperado (no es la API); revise la dirección de la API. Los pasos están a salvo aquí.',
  'cloud.station-busy': p =>
    `La estación está ocupada subiendo pasos a RUFUS Cloud y no hizo esta lectura de la nube (esperó ${p.seconds} s). Las subidas van primero; vuelva a intentarlo en un momento.`,
  'cloud.not-rufus': () =>
    'La red responde, pero no como RUFUS Cloud (¿una página de acceso a la wifi o un proxy?). Los pasos están a salvo aquí; la estación sigue intentándolo, cada vez con más pausa.',

  'start.folder-busy': p =>
    `Otra RUFUS Station${p.pid === null ? '' : ` (proceso ${p.pid})`} ya está usando la carpeta de datos ${p.folder}. Ciérrela primero.`,
  'start.journal-too-new': p =>
    `Este registro lo escribió una versión más reciente de RUFUS Station (formato ${p.found}; esta versión llega hasta el ${p.known}). Actualice RUFUS Station para abrirlo. El archivo no se ha modificado.`,
  'start.folder-read-only': p =>
    `RUFUS Station no puede escribir en su carpeta de datos ${p.folder} (es de solo lectura o no hay permiso). Elija una carpeta en la que este usuario pueda escribir.`,
  'start.disk-full': p =>
    `El disco de ${p.folder} está lleno y no se pueden guardar lecturas nuevas. Libere espacio.`,
  'start.journal-damaged': p =>
    `El registro ${p.journal} está dañado o no es un registro de RUFUS Station. No se ha tocado: apártelo (guárdelo para recuperarlo) y vuelva a iniciar para empezar un registro nuevo.`,
  'start.folder-failed': p => `RUFUS Station no pudo usar su carpeta de datos ${p.folder}: ${p.detail}`,
  'start.screen-port-taken': p =>
    `El puerto de pantallas ${p.host}:${p.port} está en uso o no está disponible aquí: elija otro --http-port o detenga el programa que lo ocupa.`,
  'start.folder-adopted': p => `La carpeta de datos se ha trasladado de ${p.from} a ${p.to}.`,
  'start.folder-kept-in-place': p =>
    `Su registro se queda en ${p.folder} y RUFUS Station lo usa allí: no se pudo trasladar a ${p.target} (${
      {
        'other-drive': 'está en otra unidad',
        'in-use': 'otro programa tiene abierto un archivo suyo; se volverá a intentar en el próximo inicio',
        overlaps:
          'la carpeta nueva quedaría dentro de ella; seguirá así en cada inicio hasta que se traslade el registro a mano, como explica la guía de instalación'
      }[p.why]
    }).`,
  'start.older-journal-left': p =>
    `Se ha dejado intacto un registro anterior en ${p.folder}; RUFUS Station usa ${p.target} y no sube nada del anterior. Puede contener pasos que aún no están en RUFUS Cloud: conserve esa carpeta y, para subirlos, cierre RUFUS Station, cambie el nombre de ${p.target} y vuelva a iniciar (la guía de instalación lo explica).`,
  'start.folder-set-aside': p =>
    `${p.folder} tenía archivos pero ningún registro (un inicio que se detuvo antes de tiempo): se han conservado como ${p.keptAs} para dejar sitio al registro de la versión anterior.`,
  'start.app-folder-unknown': p =>
    `RUFUS Station no sabe dónde guardar sus archivos: ${p.variable} no contiene una ruta completa y no se conoce la carpeta personal. Ponga una ruta completa en ${p.variable} o indique --data a la estación sin pantalla.`,
  'capture.waiting': (p, say) =>
    `${say(p.cause)} ${p.pieces} fragmentos de datos del lector esperan en memoria y se guardarán en cuanto sea posible; lo ya guardado no se ve afectado.${
      p.droppedBytes > 0
        ? ` La memoria reservada para los datos en espera está llena: no se pudieron conservar ${p.droppedBytes} bytes de datos del lector.`
        : ''
    }`,

  'station.recovered': p =>
    `Se recuperaron ${p.chunks} fragmentos de datos del lector guardados antes de una interrupción.`,
  'station.csv-copy-failed': p =>
    `No se puede escribir la copia CSV de la sesión ${p.session} (${p.detail}); el registro conserva todos los pasos y la copia se pondrá al día en cuanto pueda.`,
  'station.session-opened': p =>
    p.cause === 'reads'
      ? `No había ninguna sesión abierta cuando llegaron lecturas: se abrió la sesión "${p.alias}" para ellas.`
      : `No había ninguna sesión abierta al introducir una hora: se abrió la sesión "${p.alias}" para ella.`,
  'station.reads-without-session': p =>
    `Llegaron ${p.count} lecturas sin ninguna sesión abierta; se conservan en el registro en bruto.`,
  'station.no-session': () => 'No hay ninguna sesión abierta',
  'station.new-session': p =>
    p.closed === null
      ? `Se abrió la sesión "${p.alias}", como se pidió (--new-session).`
      : `Se cerró la sesión "${p.closed}" y se abrió la sesión "${p.alias}", como se pidió (--new-session); ${p.waiting === 0 ? `todos los pasos de "${p.closed}" están en la nube o en camino` : `los ${p.waiting} pasos de "${p.closed}" que aún no están en la nube se siguen subiendo`}.`,
  'station.new-session-kept': p =>
    `--new-session "${p.alias}" ya se aplicó en un arranque anterior, así que no se cerró ninguna sesión: la captura sigue en la sesión "${p.open}". Dé otro nombre para empezar otra sesión.`,
  'station.session-alias-reused': p =>
    `Una sesión anterior (número ${p.earlier}) también se llama "${p.alias}"; la estación y RUFUS Cloud las distinguen por su número.`,
  'station.unattended': p =>
    `Sin supervisión: si RUFUS Cloud cierra la sesión de esta estación desde otro lugar, ${p.onClosedElsewhere === 'new-session' ? 'sigue sola en una nueva sesión de la nube' : 'deja de subir hasta que alguien decida'}; si el dispositivo se desvincula en RUFUS Cloud, ${p.onUnbound === 'rebind' ? 'se vuelve a vincular sola y sube todo de nuevo' : 'deja de subir hasta que alguien decida'}.`,
  'unbind.times-without-bib': p =>
    `Para desvincular faltan ${p.count} horas sin dorsal (introducidas solo con Intro). Están fijadas arriba en la pantalla de meta: dé a cada una su dorsal o anúlela, y después desvincule.`,
  'unbind.not-in-cloud': p =>
    `No se puede desvincular: ${p.count} pasos aún no están en la nube, y desvincular borra allí los datos del dispositivo.`,
  'unbind.key-may-not': () =>
    'RUFUS Cloud no permitió desvincular el dispositivo con esta clave de la API: desvincular necesita una clave con "Allow Unbind Device" (o la clave fue revocada). No se borró nada.',

  'clock.reader-off': p =>
    `El reloj del lector ${p.port} va ${seconds1(p.offsetMs)} s desfasado respecto al del portátil; revise la hora del lector antes de la carrera.`,
  'clock.laptop-off': p =>
    `El reloj de este portátil va unos ${p.seconds} s ${p.laptop === 'behind' ? 'por detrás de' : 'por delante de'} RUFUS Cloud. Revise la hora antes de la carrera.`,
  'clock.wall-jump': p =>
    `La hora del sistema del portátil saltó ${seconds1(p.jumpMs)} s. Los pasos conservan la hora estable de la estación; revise el reloj y abra una sesión nueva para adoptar la hora nueva.`,

  'reader.silent': p => `No llega nada desde hace ${p.seconds} s: revise el cable y el lector.`,
  'reader.ports-unlisted': p => `No se pueden consultar los puertos serie: ${p.detail}`,
  'reader.port-closed': () => 'El puerto del lector se cerró (cable desconectado o lector apagado).',
  'reader.port-error': p => `Error en el puerto del lector: ${p.detail}`,
  'reader.cannot-open': p => `No se puede abrir ${p.path}: ${p.detail}`,
  'reader.already-running': p => `Ya hay un lector en marcha con el nombre ${p.id}`,
  'reader.already-read': p => `${p.path} ya se está leyendo.`,

  'bib.empty': () => 'El dorsal está vacío.',
  'bib.control-character': () =>
    'El dorsal contiene un carácter de control (un salto de línea, un tabulador o similar); escriba solo letras y números.',
  'bib.too-long': p => `El dorsal tiene ${p.length} caracteres; un dorsal tiene como máximo ${p.max}.`,
  'manual.outside-session': p =>
    p.at === null
      ? `La hora indicada no es válida: esta sesión va del ${p.from} al ${p.until} UTC (con un día de margen a cada lado); revise la fecha y la hora.`
      : `La hora ${p.at} UTC queda fuera de esta sesión (del ${p.from} al ${p.until} UTC, con un día de margen a cada lado); revise la fecha y la hora.`,
  'correction.empty-bib': () => 'Un dorsal no puede estar vacío',
  'passing.not-found': p => `No existe el paso ${p.id}`,
  'undo.nothing': p => `El paso ${p.num} no tiene ninguna corrección que deshacer.`,
  'undo.already-uploaded': p =>
    `El paso ${p.num} ya se subió a RUFUS Cloud con el dorsal ${p.bib ?? '—'}; vuelva a corregirlo en su lugar.`,
  'note.voided-after-upload': () => `anulado ${AFTER_UPLOAD}`,
  'note.bib-fixed-after-upload': p => `dorsal corregido a ${p.bib} ${AFTER_UPLOAD}`,
  'note.superseded': p => `sustituido por una lectura anterior del mismo chip (paso ${p.num})`,

  'participants.empty-file': () => 'El archivo está vacío.',
  'participants.no-header': () =>
    'La primera línea debe nombrar las columnas, al menos "chip" y "bib", separadas por ";" o ",", y las comillas deben estar cerradas.',
  'participants.line-empty': p => `Línea ${p.line}: el chip o el dorsal está vacío.`,
  'participants.line-bib': (p, say) => `Línea ${p.line}: ${say(p.problem)}`,
  'participants.chip-repeated': p =>
    `Línea ${p.line}: el chip ${p.chip} ya aparecía en la línea ${p.earlier}; vale la línea posterior.`,
  'participants.kept': p =>
    `No se importó nada: se conservan los ${p.count} participantes que ya estaban en uso.`,
  'participants.imported': p => `Se importaron ${p.count} participantes de ${p.file}.`,

  'session.already-closed': p =>
    `La sesión "${p.alias}" ya está cerrada${p.open === null ? '' : `; ahora está abierta "${p.open}"`}. No se cambió nada.`,
  'session.not-ours': () => 'Esa sesión de la nube no es de esta estación.',
  'session.no-cloud-session': () => 'Esta sesión aún no tiene sesión en la nube.',
  'session.not-found': p => `No existe la sesión ${p.id}.`,
  'key.refused': () => 'RUFUS Cloud rechazó esta clave. Revísela en RUFUS Cloud → API Keys.',
  'key.read-only': () =>
    'Esta clave solo permite READ (leer): no puede vincular el dispositivo, abrir sesiones ni subir pasos. Use una clave READ_WRITE.',
  'key.write-only': () =>
    'Esta clave permite WRITE (escribir) pero no READ (leer): las subidas funcionan, pero la estación no puede comprobar qué llegó a la nube ni consultar pasos. Se recomienda READ_WRITE.',
  'key.read-write': p =>
    `Esta clave puede leer y escribir${p.canUnbind ? ', y también desvincular dispositivos' : '; para desvincular hace falta una clave con "Allow Unbind Device"'}.`,
  'key.set-at-start': () =>
    'La clave de esta estación se indica donde se inició (línea de comandos o entorno).',
  'device.no-identity': () => 'La estación aún no tiene identidad de dispositivo.',
  'device.already-uploaded': () =>
    'Ya se subieron pasos con el dispositivo actual; abra una carpeta de datos nueva para cronometrar como otro dispositivo.',
  'device.confirm-name': p => `Escriba el nombre exacto del dispositivo (${p.expected}) para desvincularlo.`,
  'device.not-bound': () => 'El dispositivo aún no está vinculado.',
  'sync.no-decision-waiting': () => 'Ninguna sesión espera esa decisión.',

  'command.unknown': p => `Orden desconocida: ${p.name}.`,
  'command.station-only': () => 'Solo la propia estación puede hacer esto.',
  'command.read-only': () => 'Esta pantalla está emparejada solo para consulta.',
  'command.invalid': p =>
    `${p.field ? `Valor no válido en ${p.field}` : 'Argumentos no válidos'}: ${argumentProblem(p.problem)}.`,
  'command.failed': p => `Algo salió mal: ${p.detail}`,
  'screen.too-many-commands': () => 'Demasiadas órdenes desde esta pantalla; vaya más despacio.',
  'screen.still-working': () => 'La estación aún está atendiendo las peticiones anteriores de esta pantalla.',
  'screen.left': () => 'La pantalla se desconectó.',
  'screen.untrusted-sender': () => 'Remitente no fiable.',
  'screen.connection-lost': () => 'Se perdió la conexión con la estación.',

  'sync.continues-new-session': p =>
    `La sesión ${p.session} continuará en una sesión nueva de la nube; cada paso conserva su número.`,
  'sync.rebinding': p => `Vinculando de nuevo el dispositivo; se volverán a subir ${p.count} pasos.`,
  'sync.key-refused': () =>
    'RUFUS Cloud rechazó la clave de la API (revocada, mal escrita o sin permiso WRITE). Todos los pasos están a salvo en este portátil.',
  'sync.unexpected': p => `La sincronización se detuvo por un problema inesperado: ${p.detail}`,
  'sync.device-bound': () => 'Dispositivo vinculado en RUFUS Cloud.',
  'sync.device-already-bound': () =>
    'Este dispositivo ya estaba vinculado en RUFUS Cloud; se usa el dispositivo existente.',
  'sync.key-write-only': () =>
    'La clave de la API puede escribir pero no leer. La estación no puede comprobar qué llegó a la nube, así que la exactitud depende de que la nube descarte los duplicados. Use una clave READ_WRITE.',
  'sync.adopted-session': p =>
    `Se continúa la sesión activa del dispositivo en la nube "${p.alias ?? ''}" a partir de su paso ${p.after}.`,
  'sync.smaller-batches': p =>
    `A RUFUS Cloud un lote le resultó demasiado grande; se envían ${p.size} pasos cada vez.`,
  'sync.passing-refused': p =>
    `RUFUS Cloud rechazó el paso ${p.num} (${p.reason ?? 'rechazado por RUFUS Cloud'}); se aparta y el resto sigue.`,
  'sync.conflict': (p, say) =>
    `Conflicto: ${say(p.note)}. El paso local (dorsal ${p.localBib ?? '—'}) no se marcó como sincronizado.`,
  'sync.session-refused': p =>
    `RUFUS Cloud ya no acepta pasos para la sesión "${p.alias}" (${p.pending} en espera): se cerró desde otro lugar o se desvinculó el dispositivo, y esta clave no puede leer cuál de las dos cosas pasó.`,
  'sync.closed-elsewhere-continuing': p =>
    `La sesión en la nube de "${p.alias}" se cerró desde otro lugar; se continúa en una sesión nueva de la nube, según lo configurado.`,
  'sync.closed-elsewhere': p =>
    `La sesión en la nube de "${p.alias}" se cerró desde otro lugar mientras ${p.pending} pasos esperan a subirse. Están a salvo en este portátil.`,
  'sync.session-gone': p => `RUFUS Cloud ya no conoce la sesión de "${p.alias}".`,
  'sync.unbound-rebinding': () =>
    'El dispositivo se desvinculó en RUFUS Cloud; se vuelve a vincular y a subir todo, según lo configurado.',
  'sync.device-unbound': () =>
    'Este dispositivo se desvinculó en RUFUS Cloud, lo que borró allí sus sesiones y pasos. Todos los pasos siguen en este portátil.',
  'sync.blocked': (p, say) => `${say(p.problem)} ${say(p.action)}`,
  'sync.action.key-refused': () => 'Qué hacer: introduzca una clave de la API válida con acceso READ_WRITE.',
  'sync.action.closed-elsewhere': () =>
    'Qué hacer: continuar en una sesión nueva de la nube (cada paso conserva su número).',
  'sync.action.device-unbound': () => 'Qué hacer: vincular de nuevo el dispositivo y volver a subirlo todo.',
  'sync.action.session-gone': () =>
    'Qué hacer: continuar en una sesión nueva de la nube, o revisar el dispositivo en RUFUS Cloud.',
  'sync.note.reuploaded': () => 'subido de nuevo después de que el dispositivo se desvinculara en la nube',
  'sync.note.unverified': () => 'aceptado por RUFUS Cloud; sin verificar (la clave no puede leer)',
  'sync.note.stored-copies': p => `guardado ${p.copies} veces en la nube (no descarta duplicados)`,
  'sync.note.conflict': p =>
    `RUFUS Cloud ya tiene otro paso con el número ${p.num}: dorsal ${p.bib}, chip ${p.chip ?? '—'}, ${p.timestamp}`,
  'sync.note.refused': p => p.reason ?? 'rechazado por RUFUS Cloud',
  'sync.key-works-again': () =>
    'RUFUS Cloud vuelve a aceptar la clave de la API; la sincronización continúa.',
  'sync.waiting-for-live-session': p =>
    `${p.pending} ${p.pending === 1 ? 'paso' : 'pasos'} de la sesión cerrada "${p.session}" ${p.pending === 1 ? 'espera' : 'esperan'} a que termine la sesión en curso "${p.live}": una sesión nueva en la nube para ellos cerraría la que está en curso. Se suben solos cuando se cierre "${p.live}", o ahora si usted lo decide.`,
  'sync.sending-waiting-now': p =>
    `Se suben ahora los pasos en espera de "${p.session}"; la sesión en curso "${p.live}" continúa en una sesión nueva de la nube (cada paso conserva su número).`,
  'sync.all-refused': p =>
    `RUFUS Cloud rechaza todos los pasos: los ${p.tried} probados de uno en uno, por el mismo motivo (${p.reason ?? 'sin motivo indicado'}). La sincronización se detuvo; no se apartó ninguno, todos los pasos están a salvo en este portátil.`,
  'sync.action.all-refused': () =>
    'Qué hacer: nada aquí; la estación vuelve a probar un paso cada pocos minutos. Si continúa, comunique a soporte de RUFUS el motivo indicado.',
  'sync.write-only-hold': p =>
    `${p.count} ${p.count === 1 ? 'paso queda retenido' : 'pasos quedan retenidos'}, sin reenviar ni contar como subidos: ${porQueRetenidos(p.why)}, y esta clave de la API no puede leer para comprobarlo.`,
  'sync.action.write-only-hold': () =>
    'Qué hacer: introduzca una clave READ_WRITE; la estación entonces los lee de vuelta y los resuelve.',
  'sync.write-only-resend': p =>
    `Se perdió la respuesta para ${p.count} ${p.count === 1 ? 'paso' : 'pasos'}; se ${p.count === 1 ? 'envía' : 'envían'} una vez más, confiando en que RUFUS Cloud descarte un número que ya tiene (esta clave de la API no puede leer para comprobarlo).`,
  'sync.note.duplicate-unseen': p =>
    `RUFUS Cloud respondió ${cuentas(p)}${p.description === null ? '' : ` ("${p.description}")`} para ${p.sent} enviados, pero no tiene nada con el número ${p.num}, dos veces: probablemente lo tomó por duplicado de otro paso`,
  'sync.note.resent-accepted': () =>
    'reenviado tras perderse la respuesta; RUFUS Cloud lo dio por recibido (la clave no puede leer para verificarlo)',
  'sync.note.may-be-twice': () =>
    'reenviado tras perderse la respuesta; RUFUS Cloud no informa de duplicados, así que puede estar guardado dos veces (la clave no puede leer para comprobarlo)',

  untranslated: p => p.text
} satisfies MessageTexts

function porQueRetenidos(why: WriteOnlyHoldReason): string {
  switch (why) {
    case 'no-counts':
      return 'RUFUS Cloud aceptó el lote sin decir cuántos guardó'
    case 'duplicates':
      return 'RUFUS Cloud dijo que algunos duplican pasos que ya tiene'
    case 'fewer-inserted':
      return 'RUFUS Cloud guardó menos de los enviados'
    case 'no-duplicate-report':
      return 'se perdió la respuesta, y este RUFUS Cloud no informa de duplicados, así que reenviarlos podría guardarlos dos veces'
    case 'lost-twice':
      return 'la respuesta se perdió dos veces, la segunda tras reenviarlos'
  }
}

function cuentas(p: { readonly inserted: number | null; readonly duplicates: number | null }): string {
  if (p.inserted === null && p.duplicates === null) return 'sin cifras'
  const parts = [
    p.inserted === null ? '' : `${p.inserted} insertados`,
    p.duplicates === null ? '' : `${p.duplicates} ${p.duplicates === 1 ? 'duplicado' : 'duplicados'}`
  ]
  return parts.filter(part => part !== '').join(', ')
}
